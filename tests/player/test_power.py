"""The ``reboot`` command's runner (player/power.py) with real processes, and the
``reboot_command`` setting: what is answered when the command runs, fails, is missing,
cannot be read, is disabled, or keeps running."""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

import pytest

from player import power
from player.config import ConfigError, build

BASE = {"controller": "http://127.0.0.1:1", "screen": "s", "token": "t", "cache_dir": "/tmp/x"}


def _python(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


def test_a_command_that_runs_is_done_and_one_that_fails_says_why(tmp_path: Path):
    marker = tmp_path / "ran"
    ok, message, extra = power.reboot(_python(f"open({str(marker)!r}, 'w').write('x')"))
    assert (ok, extra) == (True, {"exit_code": 0}) and "exit 0" in message
    assert marker.read_text() == "x"

    ok, message, extra = power.reboot(_python(
        "import sys; print('sudo: a password is required'); sys.exit(1)"))
    assert (ok, extra) == (False, {"exit_code": 1})
    assert message == "the reboot command exited with 1: sudo: a password is required"

    missing = str(tmp_path / "nope")
    assert power.reboot(f"{missing} now") == (
        False, f"cannot run the reboot command: {missing} not found", {})
    ok, message, _ = power.reboot("'unclosed")
    assert not ok and "cannot be read" in message
    for disabled in ("", "   ", None):
        assert power.reboot(disabled) == (
            False, "reboot is disabled on this player (reboot_command is empty)", {})


def test_a_command_still_running_counts_as_started(tmp_path: Path):
    ok, message, extra = power.reboot(_python("import time; time.sleep(60)"), wait=0.2)
    try:
        assert ok and "started" in message and extra["pid"] > 0
    finally:
        os.killpg(extra["pid"], signal.SIGKILL)  # its own session (start_new_session)


def test_the_reboot_command_setting():
    assert build(BASE).reboot_command == power.DEFAULT_REBOOT_COMMAND
    assert build({**BASE, "reboot_command": None}).reboot_command == \
        power.DEFAULT_REBOOT_COMMAND
    assert build({**BASE, "reboot_command": " sudo -n reboot "}).reboot_command == \
        "sudo -n reboot"
    assert build({**BASE, "reboot_command": ""}).reboot_command == ""
    for bad, words in ((["reboot"], "a string"), ("x" * 1001, "1000 characters"),
                       ("'unclosed", "cannot be read")):
        with pytest.raises(ConfigError, match=words):
            build({**BASE, "reboot_command": bad})
