"""System facts for heartbeats stay within the protocol's limits."""

from __future__ import annotations

import json
import time

from player import facts


def zone(root, n: int, kind: str, millideg: str) -> None:
    path = root / f"thermal_zone{n}"
    path.mkdir(parents=True)
    (path / "type").write_text(kind + "\n")
    (path / "temp").write_text(millideg + "\n")


def test_cpu_temperature_prefers_the_cpu_zone_and_is_none_without_a_sensor(tmp_path):
    assert facts.cpu_temp(tmp_path / "none") is None
    zone(tmp_path, 0, "gpu-thermal", "40000")
    zone(tmp_path, 1, "cpu-thermal", "51600")
    assert facts.cpu_temp(tmp_path) == 51.6
    other = tmp_path / "other"
    zone(other, 0, "acpitz", "45000")
    assert facts.cpu_temp(other) == 45.0
    absurd = tmp_path / "absurd"
    zone(absurd, 0, "cpu-thermal", "900000")
    assert facts.cpu_temp(absurd) is None  # the controller would refuse the heartbeat


def test_memory_and_uptime_are_read_from_proc_files(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  3858516 kB\nMemFree: 1 kB\nMemAvailable:  2802820 kB\n")
    assert facts.memory(meminfo) == {"total": 3858516 * 1024, "available": 2802820 * 1024}
    assert facts.memory(tmp_path / "missing") is None
    up = tmp_path / "uptime"
    up.write_text("3600.50 7000.00\n")
    assert facts.uptime(up) == 3600.5


def test_a_heartbeat_is_complete_and_within_limits(tmp_path):
    beat = facts.collect(tmp_path, now=time.time(), clock_offset=0.25,
                         last_error="x" * 5000, timeline_version=7,
                         playing={"playlist": "p" * 500, "item": "citadel",
                                  "since": "2026-11-26T07:00:10Z"})
    assert beat["software"] == "pano-player/0.1.0"
    assert beat["timeline_version"] == 7 and beat["clock_offset"] == 0.25
    assert len(beat["last_error"]) == 1000
    assert len(beat["playing"]["playlist"]) == 200
    assert len(beat["load"]) == 3 and all(0 <= x <= 1000 for x in beat["load"])
    assert 0 <= beat["memory"]["available"] <= beat["memory"]["total"]
    assert 0 <= beat["disk"]["free"] <= beat["disk"]["total"]
    assert 0 <= beat["uptime"] <= 315_360_000
    assert beat["sent_at"].endswith("Z")
    assert len(json.dumps(beat)) <= 16 * 1024


def test_a_heartbeat_says_how_the_player_can_capture_its_screen(tmp_path):
    beat = facts.collect(tmp_path, now=time.time(), clock_offset=0.0, last_error=None,
                         timeline_version=None, playing=None, capture="none")
    assert beat["capture"] == "none"
    assert "capture" not in facts.collect(tmp_path, now=time.time(), clock_offset=0.0,
                                          last_error=None, timeline_version=None,
                                          playing=None)
