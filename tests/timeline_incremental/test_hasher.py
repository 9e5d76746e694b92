"""The hasher's text is the canonical JSON, whatever the bodies share: random bodies,
some stamped from others (``controller.timeline.alike.stamp``) so that they hold the
very same lists and dicts, hash exactly as ``content_hash`` hashes them one by one, and
their stored text (``stamped``) is ``canonical`` of the body with its stamps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.timeline.alike import stamp
from controller.timeline.hashing import Hasher, canonical, content_hash

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20)
display = st.fixed_dictionaries(
    {"name": st.dictionaries(st.sampled_from(("vi", "en", "lo")), st.text(max_size=8)),
     "site": values, "resolution": st.lists(st.integers(1, 4000), min_size=2, max_size=2)},
    optional={"layout": values, "qr_badge": values, "Ǵ": values})
body = st.fixed_dictionaries(
    {"screen": st.text(min_size=1, max_size=8), "display": display, "segments": values,
     "playlists": values, "media": values},
    optional={"emergencies": values, "valid_from": st.text(max_size=20), "z": values})


@settings(max_examples=200, deadline=None)
@given(templates=st.lists(body, min_size=1, max_size=4),
       stamps=st.lists(st.tuples(st.integers(0, 3), st.text(min_size=1, max_size=8),
                                 st.dictionaries(st.sampled_from(("vi", "en")),
                                                 st.text(max_size=8))), max_size=6),
       version=st.integers(1, 10**6))
def test_the_hashers_text_is_the_canonical_json(templates, stamps, version) -> None:  # noqa: ANN001
    bodies = list(templates) + [stamp(templates[pick % len(templates)], screen, name)
                                for pick, screen, name in stamps]
    hasher = Hasher()
    for _ in range(2):  # the second time, every shared value is known to the hasher
        for one in bodies:
            members = hasher.members(one)
            assert hasher.digest_of(members) == content_hash(one)
            assert hasher.stamped(members, version=version, generated_at="t") == canonical(
                {**one, "version": version, "generated_at": "t"})


def test_a_stamped_body_shares_all_but_the_screens_own_members() -> None:
    template = {"screen": "a", "display": {"name": {"vi": "A"}, "site": {"id": "s"}},
                "segments": [{"from": "x"}], "playlists": {}, "media": {}}
    other = stamp(template, "b", {"vi": "B"})
    assert other["screen"] == "b" and other["display"]["name"] == {"vi": "B"}
    assert template["screen"] == "a" and template["display"]["name"] == {"vi": "A"}
    assert other["segments"] is template["segments"]
    assert other["display"]["site"] is template["display"]["site"]


def test_a_body_with_the_same_playlists_but_other_segments_is_hashed_as_itself() -> None:
    """Screens of one site showing the same playlists under other schedules share the
    playlists part, not the rest: the hasher must not take the last one's texts."""
    playlists = {"p@1": {"items": [{"id": "a"}]}}
    first = {"screen": "a", "display": {"name": {}}, "segments": [1], "playlists": playlists,
             "media": {}}
    hasher = Hasher()
    for other in ({**first, "segments": [2]}, {**first, "media": {"x": 1}},
                  {**first, "emergencies": []}, {k: v for k, v in first.items() if k != "media"},
                  stamp(first, "b", {"vi": "B"})):
        assert hasher.digest(first) == content_hash(first)
        assert hasher.digest(other) == content_hash(other)
