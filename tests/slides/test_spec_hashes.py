"""``SpecHashes``: the publisher's memory of slide input hashes across rebuilds gives the
hash ``input_hash`` gives, is bounded, and is forgotten when the fonts change (a font
replaced on disk must give new pictures, as ``input_hash`` does)."""

from __future__ import annotations

from dataclasses import replace

from controller.slides import cache
from controller.timeline.spec_hashes import SpecHashes

from .test_golden import golden_specs


def test_a_remembered_hash_is_the_input_hash_and_each_spec_has_its_own() -> None:
    hashes = SpecHashes()
    hashes.begin()
    specs = list(golden_specs().values())
    assert [hashes.of(s) for s in specs] == [cache.input_hash(s) for s in specs]
    assert [hashes.of(replace(s)) for s in specs] == [cache.input_hash(s) for s in specs]
    assert len({hashes.of(s) for s in specs}) == len(specs)


def test_new_fonts_forget_every_remembered_hash(monkeypatch) -> None:
    hashes = SpecHashes()
    hashes.begin()
    spec = golden_specs()["alternate-lo-1920x1080"]
    before = hashes.of(spec)
    monkeypatch.setattr(cache.fonts, "fonts_digest", lambda: {"NotoSans-Regular.ttf": "0"})
    assert hashes.of(spec) == before  # within one load the fonts are read once
    hashes.begin()  # the next load sees the new fonts
    assert hashes.of(spec) == cache.input_hash(spec) != before


def test_the_memory_is_bounded() -> None:
    hashes = SpecHashes(limit=3)
    hashes.begin()
    spec = golden_specs()["alternate-lo-1920x1080"]
    specs = [replace(spec, width=1000 + n) for n in range(10)]
    assert [hashes.of(s) for s in specs] == [cache.input_hash(s) for s in specs]
    assert len(hashes._hashes) <= 3
