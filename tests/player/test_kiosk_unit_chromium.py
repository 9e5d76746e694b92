"""The Pi's kiosk Chromium (deploy/pano-kiosk.service) starts no renderer for the address
bar's suggestion pages: Chromium 156 preloads them (``--top-chrome-webui``) in a process
of their own although a kiosk never shows an address bar.

The unit's own Chromium flags are read from its ExecStart and run headless here (the Pi
runs them under cage on Wayland). A control run with the same flags less the two
features must show that renderer, so the test knows this Chromium preloads it at all;
a Chromium that does not is skipped, not passed."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from support.devtools import CHROMIUM, need

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "pano-kiosk.service"
POPUPS = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
# The Pi's display, debugging port, profile and page are the unit's own business.
LEFT_OUT = ("--ozone-platform=", "--remote-debugging-", "--user-data-dir=", "${")
SETTLE = 3.0  # seconds after the first renderer (the control showed it within 1 s)


def unit_chromium_flags() -> list[str]:
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    flags = words[words.index("/usr/bin/chromium") + 1:]
    return [f for f in flags if not f.startswith(LEFT_OUT)]


def _tree_cmdlines(root: int) -> list[str]:
    """The command lines of ``root``'s descendants."""
    children: dict[int, list[int]] = {}
    lines: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            lines[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(lines.get(pid, ""))
        todo.extend(children.get(pid, []))
    return found


def top_chrome_renderers(flags: list[str], profile: Path) -> int:
    """Start Chromium headless with ``flags``; how many --top-chrome-webui renderers it
    has once it has settled."""
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    proc = subprocess.Popen([CHROMIUM, "--headless=new", *sandbox, *flags,
                             f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not any("--type=renderer" in c for c in _tree_cmdlines(proc.pid)):
            assert proc.poll() is None, "Chromium exited at start"
            assert time.monotonic() < deadline, "Chromium started no renderer in 30 s"
            time.sleep(0.1)
        time.sleep(SETTLE)
        return sum("--top-chrome-webui" in c for c in _tree_cmdlines(proc.pid))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def without_popup_features(flags: list[str]) -> list[str]:
    out = []
    for flag in flags:
        if flag.startswith("--disable-features="):
            kept = [f for f in flag.split("=", 1)[1].split(",") if f not in POPUPS]
            flag = "--disable-features=" + ",".join(kept)
        out.append(flag)
    return out


def test_the_kiosk_units_chromium_preloads_no_address_bar_pages(tmp_path):
    need(CHROMIUM is not None and os.path.exists(CHROMIUM),
         "no Chromium on this machine: run `make system-deps` (Debian's chromium)")
    flags = unit_chromium_flags()
    assert "--kiosk" in flags and any(f.startswith("--disable-features=") for f in flags)
    control = without_popup_features(flags)
    assert control != flags, "the unit does not disable the address bar's pages"
    if top_chrome_renderers(control, tmp_path / "control") == 0:
        pytest.skip("this Chromium preloads no address-bar pages: nothing to check")
    assert top_chrome_renderers(flags, tmp_path / "unit") == 0
