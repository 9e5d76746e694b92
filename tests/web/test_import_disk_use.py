"""The disk an import takes, measured while it runs against a real controller (issue 10,
defect 9): a zip of many compressed entries is refused before anything is unpacked, and
media the playlist does not name are never unpacked; the work folder goes afterwards."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import requests
from PIL import Image
from support.zips import make_zip, playlist_yaml

from controller.housekeeping.removals import tree_size
from controller.housekeeping.work_folders import work_root

MiB = 1024 * 1024


def _photo() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, "PNG")
    return out.getvalue()


class DiskWatch:
    """Samples the size of ``<data_dir>/tmp`` while a request runs: the largest seen."""

    def __init__(self, root: Path) -> None:
        self.root, self.peak, self._stop = root, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.root.exists():
                self.peak = max(self.peak, tree_size(self.root))
            self._stop.wait(0.002)

    def during(self, call: Callable[[], requests.Response]) -> requests.Response:
        self._thread.start()
        try:
            return call()
        finally:
            self._stop.set()
            self._thread.join()


def _upload(server, fleet, name: str, content: bytes) -> Callable[[], requests.Response]:
    return lambda: requests.post(
        server.url + "/api/v1/playlists/import", files={"file": (name, content)},
        headers={"Authorization": f"Bearer {fleet.users['admin']}"}, timeout=120)


def test_many_compressed_entries_are_refused_before_anything_is_unpacked(server, fleet):
    zeros = b"\0" * MiB
    bomb = make_zip([("disk-test.yaml", playlist_yaml("z000.png", playlist_id="disk-test"))]
                + [(f"media/z{i:03}.png", zeros) for i in range(999)], zipfile.ZIP_DEFLATED)
    watch = DiskWatch(work_root(fleet.settings.data_dir))
    response = watch.during(_upload(server, fleet, "holiday.zip", bomb))
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith("'holiday.zip' would unpack to 999.0 MiB from 1.")
    assert "more than 10:1 over all its entries (a zip bomb?)" in message
    assert watch.peak <= len(bomb) + 64 * 1024  # the upload itself, nothing unpacked
    assert tree_size(work_root(fleet.settings.data_dir)) == 0


def test_media_the_playlist_does_not_name_are_not_unpacked(server, fleet):
    photo = _photo()
    extra = os.urandom(32 * MiB)  # a video the playlist never names
    text = playlist_yaml("photo.png", playlist_id="disk-test", agency="culture")
    bundle = make_zip([("disk-test.yaml", text), ("media/photo.png", photo),
                       ("media/holiday.mp4", extra)], zipfile.ZIP_STORED)
    watch = DiskWatch(work_root(fleet.settings.data_dir))
    response = watch.during(_upload(server, fleet, "trip.zip", bundle))
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 1
    assert ("trip.zip: 1 file(s) in media/ not named by the playlist were ignored (not "
            "unpacked): holiday.mp4") in response.json()["notes"]
    # the upload's own copy, the YAML and the photo: never the 32 MiB a second time
    assert watch.peak < len(bundle) + 4 * MiB, watch.peak
    assert tree_size(work_root(fleet.settings.data_dir)) == 0
