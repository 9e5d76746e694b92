"""What a ``kill -9`` in the middle of an import leaves behind is swept when the
controller starts again (issue 10, defect 10): a real gevent controller subprocess (and
its embedded job worker) killed while it stores a large bundle's media, then started
again. The crashed import's work folder is gone, store files no row names are removed
once older than the grace period (the test backdates them, as a day passing would),
younger ones and every file a row names are untouched, and the start's log line says
what went."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import requests
from PIL import Image
from support.fleet import admin_token, fast_playlists, prepare
from support.processes import Controller, wait_for
from support.zips import make_zip, playlist_yaml

from controller.housekeeping.removals import tree_size

DAY = 24 * 3600
PHOTOS = 80


def photo() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (640, 480), os.urandom(640 * 480 * 3)).save(out, "JPEG")
    return out.getvalue()


def store_files(data: Path) -> dict[str, Path]:
    return {p.name: p for p in (data / "media").glob("[0-9a-f][0-9a-f]/*")
            if len(p.name) == 64 and p.is_file()}


def media_rows(data: Path) -> set[str]:
    with sqlite3.connect(data / "pano.db") as db:
        return {sha for (sha,) in db.execute("select sha256 from media")}


def backdate(path: Path, seconds: float = 2 * DAY) -> None:
    when = time.time() - seconds
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (when, when))


def test_a_killed_import_leaves_nothing_after_the_next_start(tmp_path: Path) -> None:
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    admin = admin_token(data)
    names = [f"p{n:02}.jpg" for n in range(PHOTOS)]
    bundle = make_zip([("crash-test.yaml", playlist_yaml(*names, playlist_id="crash-test",
                                                         agency="culture"))]
                      + [(f"media/{name}", photo()) for name in names], zipfile.ZIP_STORED)
    env = {"PANO_ASYNC_MODE": "gevent", "PANO_JOBS_WAIT": "0"}
    controller = Controller(data, env=env).start()
    before = set(store_files(data))
    assert before and before <= media_rows(data)

    def send() -> None:
        try:
            requests.post(f"{controller.url}/api/v1/playlists/import",
                          files={"file": ("crash-test.zip", bundle)},
                          headers={"Authorization": f"Bearer {admin}"}, timeout=60)
        except requests.RequestException:
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        wait_for(lambda: len(set(store_files(data)) - before) >= 5, timeout=60,
                 what="the import to be storing its media")
    finally:
        controller.kill()  # the controller and its job worker, mid-import
    sender.join(30)

    work = data / "tmp"
    crashed = [p for p in work.iterdir() if p.is_dir()]
    assert len(crashed) == 1 and tree_size(crashed[0]) > len(bundle)  # upload + unpacked
    files = store_files(data)
    named = media_rows(data)
    crash_orphans = set(files) - named
    # A day passes: everything in the store gets old, except one file placed just now.
    for path in (data / "media").iterdir():
        if path.name != "screenshots":
            backdate(path)
    (data / "media" / ("0" * 2)).mkdir(exist_ok=True)
    old_orphan = data / "media" / "00" / ("00" + "a" * 62)
    old_orphan.write_bytes(b"an orphan of an older crash" * 100)
    backdate(old_orphan)
    young_orphan = data / "media" / "00" / ("00" + "b" * 62)
    young_orphan.write_bytes(b"placed a minute ago, its row not committed yet")

    again = Controller(data, port=controller.port, env=env, name="restarted").start()
    try:
        line = wait_for(lambda: re.search(r"housekeeping at start: (.*)", again.output()),
                        what="the start's housekeeping line").group(1)
    finally:
        again.stop()
    assert line.startswith("removed 1 work folder ("), line
    gone = len(crash_orphans) + 1
    assert f"{gone} unreferenced media file{'' if gone == 1 else 's'} (" in line, line
    assert not crashed[0].exists()
    left = store_files(data)
    assert set(left) == (set(files) - crash_orphans) | {young_orphan.name}
    assert named <= set(left)  # every file a row names is still there
    assert not old_orphan.exists() and young_orphan.exists()
    assert not [p for p in (data / "media").iterdir() if p.name.startswith(".")]
