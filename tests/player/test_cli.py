"""The real ``pano-player`` process: offline start, /status, the kiosk page's API, SIGTERM,
and clear one-line messages for broken settings."""

from __future__ import annotations

import time

import pytest
from player_helpers import PICTURE, ROOT, SCREEN, saved_player_dir, sha, wait_for

from player.cli import load_config, main, parse_args
from player.config import ConfigError


def test_offline_start_plays_the_saved_timeline_within_seconds(tmp_path, run_player):
    player = run_player(saved_player_dir(tmp_path), display="headless")
    status = wait_for(lambda: (s := player.json("/status"))["now_playing"] and s,
                      timeout=10, what="something playing")
    assert status["screen"] == SCREEN and status["timeline_version"] == 7
    assert status["connected"] is False and status["transport"] is None
    assert status["now_playing"]["playlist"] == "welcome@1"
    assert status["now_playing"]["item"] in ("citadel", "hello")
    assert status["since"].endswith("Z") and status["stale"] is False
    wait_for(lambda: player.json("/status")["cache"] == {"files": 1, "missing": 0,
                                                        "unchecked": 0, "damaged": 0},
             what="the cached file checked")
    # It moves on to the next item by itself (2 s items).
    first = status["now_playing"]["item"]
    wait_for(lambda: player.json("/status")["now_playing"]["item"] != first,
             timeout=15, what="the next item")
    assert player.get("/")[0] == 404  # headless: no page
    code, log = player.stop()
    assert code == 0
    assert "now playing: welcome@1" in log and "cannot connect" in log
    assert "Traceback" not in log


def test_the_kiosk_page_and_its_api_are_served_from_the_cache(tmp_path, run_player):
    player = run_player(saved_player_dir(tmp_path, missing=b"never downloaded"))
    status, headers, page = player.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = page.decode()
    scripts = ("/static/slides.js", "/static/kiosk.js", "/static/alive.js")
    assert all(name in html for name in scripts) and "/static/kiosk.css" in html
    for name in (*scripts, "/static/kiosk.css"):
        code, _, body = player.get(name)
        assert code == 200 and body
        html += body.decode()
    assert "http://" not in html and "https://" not in html  # nothing from outside

    plan = wait_for(lambda: (p := player.json("/api/upcoming"))["items"] and p,
                    timeout=10, what="the plan")
    items = plan["items"]
    # At least three, and enough to cover the next 20 s (player/display/kiosk.py)
    assert len(items) >= 3 and items[-1]["ends_at"] >= plan["now"] + 20
    assert items[0]["started_at"] <= plan["now"] < items[0]["ends_at"]
    for a, b in zip(items, items[1:], strict=False):
        assert a["ends_at"] == b["started_at"]
    # The item whose media is not cached is skipped.
    assert {i["item"]["id"] for i in items} <= {"citadel", "hello"}
    assert plan["display"]["languages"] == ["vi", "en"]
    assert plan["display"]["bilingual_mode"] == "dual"

    code, headers, body = player.get(f"/media/{sha(PICTURE)}")
    assert code == 200 and body == PICTURE and headers["Content-Type"] == "image/png"
    # The browser keeps no copy of its own (player/display/kiosk.py): only the
    # player's checked files are shown.
    assert headers["Cache-Control"] == "no-store"
    code, headers, body = player.get(f"/media/{sha(PICTURE)}", {"Range": "bytes=10-"})
    assert code == 206 and body == PICTURE[10:]
    assert headers["Content-Range"] == f"bytes 10-{len(PICTURE) - 1}/{len(PICTURE)}"
    assert headers["Cache-Control"] == "no-store"
    assert player.get(f"/media/{sha(b'never downloaded')}")[0] == 404
    assert player.get("/media/../timeline.json")[0] == 404
    assert player.json("/status")["cache"] == {"files": 1, "missing": 1, "unchecked": 0,
                                               "damaged": 0}
    assert player.stop()[0] == 0


def test_an_expired_timeline_keeps_playing_and_says_so(tmp_path, run_player):
    player = run_player(saved_player_dir(tmp_path, start=time.time() - 5 * 86400, hours=48),
                        display="headless")
    status = wait_for(lambda: (s := player.json("/status"))["now_playing"] and s,
                      timeout=10, what="something playing")
    assert status["stale"] is True and status["last_error"] == "timeline expired"
    player.stop()


def test_a_player_without_a_timeline_shows_the_idle_page(tmp_path, run_player):
    player = run_player(tmp_path / "empty")
    status = player.json("/status")
    assert status["now_playing"] is None and status["timeline_version"] is None
    assert player.json("/api/upcoming")["items"] == []
    assert player.get("/")[0] == 200
    player.stop()


def test_a_broken_saved_timeline_does_not_stop_the_player(tmp_path, run_player):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "timeline.json").write_text("{ not json")
    player = run_player(cache, display="headless")
    assert player.json("/status")["now_playing"] is None
    code, log = player.stop()
    assert code == 0 and "saved timeline" in log and "Traceback" not in log


# --- settings ----------------------------------------------------------------------------

BASE = ["--controller", "http://c:8080", "--screen", "s", "--token", "t", "--cache-dir", "/x"]


@pytest.mark.parametrize("content, words", [
    ("controller: [unclosed", "not valid YAML at line 1"),
    ("- just\n- a list\n", "must be a mapping"),
    ("controller: http://c\nscren: typo\n", "unknown setting(s) scren"),
    ("http_port: eighty\n", "http_port must be an integer"),
    ("display: projector\n", "display must be one of headless, kiosk"),
    ("controller: ftp://c\n", "controller must be an http(s) URL"),
    ("http_poll_interval: 0.1\n", "http_poll_interval must be a number of seconds 1…3600, "
                                  "got 0.1"),
])
def test_a_broken_config_file_gives_one_clear_line(tmp_path, capsys, content, words):
    config = tmp_path / "player.yaml"
    config.write_text(content)
    flags = [] if "controller" in content else ["--controller", "http://c:8080"]
    assert main(["--config", str(config), "--screen", "s", "--token", "t",
                 "--cache-dir", str(tmp_path), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pano-player: ") and words in err and "\n" not in err


def test_a_missing_config_file_or_setting_gives_one_clear_line(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["--controller", "http://c:8080", "--screen", "s"]) == 2
    err = capsys.readouterr().err
    assert "missing setting 'token'" in err and "--token-file" in err and "PANO_TOKEN" in err


def _token_file(tmp_path, mode: int, text: str = "pst_secret\n"):
    path = tmp_path / "token"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_credential_comes_from_a_private_file_or_the_environment(tmp_path, monkeypatch):
    base = ["--controller", "http://c:8080", "--screen", "s", "--cache-dir", str(tmp_path)]
    monkeypatch.delenv("PANO_TOKEN", raising=False)
    path = _token_file(tmp_path, 0o600)
    assert load_config(parse_args(base + ["--token-file", str(path)])).token == "pst_secret"
    monkeypatch.setenv("PANO_TOKEN", "pst_from_env")
    assert load_config(parse_args(base)).token == "pst_from_env"
    # the environment wins over a file named in a config file; a flag over both
    config = tmp_path / "player.yaml"
    config.write_text(f"token_file: {path}\n")
    assert load_config(parse_args(base + ["--config", str(config)])).token == "pst_from_env"
    assert load_config(parse_args(base + ["--token", "pst_flag"])).token == "pst_flag"


@pytest.mark.parametrize("mode, text, words", [
    (0o644, "pst_secret\n", "may be read by other users (mode 0644): chmod 600"),
    (0o640, "pst_secret\n", "may be read by other users (mode 0640)"),
    (0o600, "\n\n", "is empty"),
    (0o600, "x" * 5000, "longer than 4096 bytes"),
])
def test_a_token_file_others_can_read_or_that_is_wrong_is_refused(
        tmp_path, capsys, monkeypatch, mode, text, words):
    monkeypatch.delenv("PANO_TOKEN", raising=False)
    path = _token_file(tmp_path, mode, text)
    assert main(["--controller", "http://c:8080", "--screen", "s", "--cache-dir",
                 str(tmp_path), "--token-file", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pano-player: ") and words in err and "\n" not in err
    assert main(["--controller", "http://c:8080", "--screen", "s", "--cache-dir",
                 str(tmp_path), "--token-file", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_credential_on_the_command_line_is_warned_about(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="pano.player"):
        load_config(parse_args(["--controller", "http://c:8080", "--screen", "s",
                                "--cache-dir", str(tmp_path), "--token", "pst_x"]))
    assert "visible to every user of this machine" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="pano.player"):
        load_config(parse_args(["--controller", "http://c:8080", "--screen", "s",
                                "--cache-dir", str(tmp_path),
                                "--token-file", str(_token_file(tmp_path, 0o600))]))
    assert "visible" not in caplog.text


def test_flags_override_the_config_file(tmp_path):
    config = tmp_path / "player.yaml"
    example = (ROOT / "config" / "player.example.yaml").read_text()
    config.write_text(example)
    token = _token_file(tmp_path, 0o600)
    config.write_text(example.replace("/etc/pano/player.token", str(token)))
    settings = load_config(parse_args(["--config", str(config), "--http-port", "0",
                                       "--display", "headless"]))
    assert settings.token == "pst_secret"  # the example's token_file
    assert settings.screen == "phu-bai-arrivals" and settings.controller == "http://127.0.0.1:8080"
    assert settings.http_port == 0 and settings.display == "headless"
    assert settings.http_poll_interval == 60
    assert load_config(parse_args(BASE + ["--http-poll-interval", "5"])).http_poll_interval == 5
    with pytest.raises(ConfigError):
        load_config(parse_args(BASE + ["--http-port", "70000"]))

