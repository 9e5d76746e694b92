"""Saving the timeline and clock offset atomically, and reading them back at start."""

from __future__ import annotations

import json
import logging

from player_helpers import T0, make_timeline, text_item

from player.store import CLOCK_FILE, TIMELINE_FILE, Store


def timeline(version: int) -> dict:
    return make_timeline([(T0, T0 + 3600, "a@1")], {"a@1": [text_item("a", 5)]},
                         version=version)


def test_a_saved_timeline_and_offset_survive_a_restart(tmp_path):
    store = Store(tmp_path)
    store.save_timeline(timeline(4))
    store.save_clock_offset(12.5)
    again = Store(tmp_path)
    assert again.load_timeline() == timeline(4)
    assert again.load_clock_offset() == 12.5


def test_a_half_written_temporary_file_is_ignored_and_removed_at_start(tmp_path):
    Store(tmp_path).save_timeline(timeline(4))
    # A power cut while writing v5: the temporary file holds half of it.
    half = json.dumps(timeline(5))[:200]
    leftover = tmp_path / f".tmp-{TIMELINE_FILE}.abc123"
    leftover.write_text(half)
    store = Store(tmp_path)
    assert store.load_timeline()["version"] == 4
    assert not leftover.exists()
    assert [p.name for p in tmp_path.iterdir()] == [TIMELINE_FILE]


def test_a_corrupt_saved_timeline_is_reported_and_ignored(tmp_path, caplog):
    (tmp_path / TIMELINE_FILE).write_text('{"schema": 1, "version": ')
    (tmp_path / CLOCK_FILE).write_text("garbage")
    store = Store(tmp_path)
    with caplog.at_level(logging.ERROR):
        assert store.load_timeline() is None
        assert store.load_clock_offset() == 0.0
    assert "saved timeline" in caplog.text and "unusable" in caplog.text


def test_an_invalid_saved_timeline_is_not_played(tmp_path, caplog):
    broken = timeline(3)
    broken["segments"][0]["playlist"] = "missing@1"
    (tmp_path / TIMELINE_FILE).write_text(json.dumps(broken))
    with caplog.at_level(logging.ERROR):
        assert Store(tmp_path).load_timeline() is None
    assert "missing@1" in caplog.text


def test_saving_replaces_the_file_whole(tmp_path):
    store = Store(tmp_path)
    store.save_timeline(timeline(1))
    store.save_timeline(timeline(2))
    assert json.loads((tmp_path / TIMELINE_FILE).read_text())["version"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [TIMELINE_FILE]
