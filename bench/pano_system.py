"""The Pano side of the benchmark: a real controller process (`python -m controller.cli
serve`) in one Flask-SocketIO async mode, real python-socketio players, and changes made
through the controller's own code path — re-importing a playlist file edited in place,
which bumps the change counter so the controller's change watcher rebuilds and pushes
every affected screen's timeline."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import yaml

from bench import procs
from bench.runner import PY

PLAYLIST = "welcome-hue"
SCREENS_PER_SITE = 100


def sites_yaml(size: int) -> dict[str, Any]:
    """`size` screens in sites of at most 100, all showing the benchmark's playlist."""
    sites = []
    for s in range((size + SCREENS_PER_SITE - 1) // SCREENS_PER_SITE):
        screens = []
        for i in range(s * SCREENS_PER_SITE, min(size, (s + 1) * SCREENS_PER_SITE)):
            screens.append({
                "id": f"bench-screen-{i:04d}",
                "name": {"vi": f"Màn hình thử {i}", "en": f"Bench screen {i}"},
                "orientation": "landscape", "resolution": "1920x1080",
                "languages": ["vi", "en"], "bilingual_mode": "dual",
                "default_playlist": PLAYLIST, "tags": ["bench"],
            })
        sites.append({"id": f"bench-site-{s:02d}",
                      "name": {"vi": f"Điểm thử {s}", "en": f"Bench site {s}"},
                      "timezone": "Asia/Ho_Chi_Minh", "screens": screens})
    return {"sites": sites}


class PanoSystem:
    def __init__(self, async_mode: str) -> None:
        self.name = f"pano-{async_mode}"
        self.async_mode = async_mode
        self.workdir = Path()
        self.size = 0
        self.port = 0
        self.round = 0
        self.captured_timeline: dict[str, Any] | None = None
        self.write_ms: list[float] = []
        self.session_factory: Any = None
        self.engine: Any = None

    # -- set-up -------------------------------------------------------------------------
    def _prepare_database(self) -> list[dict[str, str]]:
        from controller.auth.tokens import issue_screen_token
        from controller.content.sites_import import import_sites
        from controller.db import make_engine, make_session_factory, upgrade

        upgrade(self.db_url)
        self.engine = make_engine(self.db_url)
        self.session_factory = make_session_factory(self.engine)
        with self.session_factory() as session:
            import_sites(session, self.sites_file)
            session.commit()
        self._import_playlist()
        creds = []
        with self.session_factory() as session:
            for i in range(self.size):
                screen = f"bench-screen-{i:04d}"
                creds.append({"screen": screen, "token": issue_screen_token(session, screen)})
            session.commit()
        return creds

    def _import_playlist(self) -> None:
        from controller.content.playlists_write import import_playlists
        from controller.media.store import MediaStore
        from controller.review.agencies import import_agencies

        with self.session_factory() as session:
            import_agencies(session, procs.REPO / "config" / "agencies.yaml")
            import_playlists(session, self.playlist_file, MediaStore(self.data_dir / "media"),
                             procs.REPO / "media", approve=True)
            session.commit()

    def start(self, workdir: Path, size: int) -> Any:
        self.workdir, self.size = workdir, size
        self.data_dir = workdir / "var"
        self.db_url = f"sqlite:///{self.data_dir / 'pano.db'}"
        self.sites_file = workdir / "sites.yaml"
        self.sites_file.write_text(yaml.safe_dump(sites_yaml(size), allow_unicode=True))
        self.playlist_file = workdir / "playlists" / f"{PLAYLIST}.yaml"
        self.playlist_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(procs.REPO / "playlists" / f"{PLAYLIST}.yaml", self.playlist_file)
        self.original_playlist = self.playlist_file.read_text(encoding="utf-8")
        creds = self._prepare_database()
        self.port = procs.free_port()
        config = workdir / "controller.yaml"
        config.write_text(yaml.safe_dump({
            "host": "127.0.0.1", "port": self.port, "data_dir": str(self.data_dir),
            "async_mode": self.async_mode, "media_source_dir": str(procs.REPO / "media"),
            "config_dir": str(workdir)}))
        self.creds_parts = creds
        proc = procs.start(
            [PY, "-m", "controller.cli", "--config", str(config), "--data-dir",
             str(self.data_dir), "--port", str(self.port), "serve"],
            env={"PANO_ASYNC_MODE": self.async_mode}, log=workdir / "server.log")
        procs.wait_for_port(self.port, 60, proc)
        self._capture_timeline()
        return proc

    def _capture_timeline(self) -> None:
        """The first screen's stored timeline: the baseline sends a message of its size."""
        from sqlalchemy import select

        from controller.models import ScreenTimeline

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.captured_timeline is None:
            with self.session_factory() as session:
                self.captured_timeline = session.scalar(
                    select(ScreenTimeline.body).where(
                        ScreenTimeline.screen_id == "bench-screen-0000"))
            time.sleep(0.2)

    def swarm_args(self, workdir: Path, part: int, parts: int) -> list[str]:
        mine = self.creds_parts[part::parts]
        file = workdir / f"creds-{part}.json"
        file.write_text(json.dumps(mine))
        return ["--kind", "pano", "--url", f"http://127.0.0.1:{self.port}", "--creds", str(file)]

    # -- one change ---------------------------------------------------------------------
    def change(self) -> float:
        """Edit the playlist's first text in place and re-import it; returns the moment
        the import was committed (the change exists for the controller from then on)."""
        self.round += 1
        marker = f"Thành phố Festival (lần đo {self.round})"
        text = self.original_playlist.replace("Thành phố Festival", marker, 1)
        if text == self.original_playlist:
            raise RuntimeError(f"{self.playlist_file}: the benchmark's edit found nothing "
                               "to change; update bench/pano_system.py")
        self.playlist_file.write_text(text, encoding="utf-8")
        started = time.monotonic()
        self._import_playlist()
        committed = time.monotonic()
        self.write_ms.append((committed - started) * 1000)
        return committed

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
