"""The Pano side of the benchmark: a real controller process (`python -m controller.cli
serve`) in one Flask-SocketIO async mode, real python-socketio players, and changes made
through the controller's own code path — re-importing playlist files edited in place,
which bumps the change counter so the controller rebuilds and pushes every affected
screen's timeline.

The fleet: every tenth screen (index 0, 10, 20, …) shows a playlist of its own,
`bench-tenth`, the others `welcome-hue`. A change of scope "all" edits both playlists in
one import (every screen's timeline changes); a change of scope "tenth" edits only
`bench-tenth` (10 % of the screens).

With ``PANO_BENCH_POSTGRES`` set to a PostgreSQL server's URL (a database the bench may
create databases from, e.g. ``postgresql+psycopg://postgres@127.0.0.1/postgres``) the
controller runs on a new database there (dropped afterwards) instead of SQLite, and the
system is named ``pano-<mode>-pg``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import yaml

from bench import procs
from bench.runner import PY

PLAYLIST = "welcome-hue"
TENTH = "bench-tenth"  # the playlist of every tenth screen
EVERY = 10
SCREENS_PER_SITE = 100
SITES_PER_FILE = 10
SCOPES = ("all", "tenth")


def sites_yaml(size: int, tenth: str | None = None) -> dict[str, Any]:
    """`size` screens in sites of at most 100, showing the benchmark's playlist; with
    ``tenth``, screens whose index is a multiple of 10 show that playlist instead."""
    sites = []
    for s in range((size + SCREENS_PER_SITE - 1) // SCREENS_PER_SITE):
        screens = []
        for i in range(s * SCREENS_PER_SITE, min(size, (s + 1) * SCREENS_PER_SITE)):
            screens.append({
                "id": f"bench-screen-{i:04d}",
                "name": {"vi": f"Màn hình thử {i}", "en": f"Bench screen {i}"},
                "orientation": "landscape", "resolution": "1920x1080",
                "languages": ["vi", "en"], "bilingual_mode": "dual",
                "default_playlist": tenth if tenth and i % EVERY == 0 else PLAYLIST,
                "tags": ["bench"],
            })
        sites.append({"id": f"bench-site-{s:02d}",
                      "name": {"vi": f"Điểm thử {s}", "en": f"Bench site {s}"},
                      "timezone": "Asia/Ho_Chi_Minh", "screens": screens})
    return {"sites": sites}


class PanoSystem:
    def __init__(self, async_mode: str) -> None:
        self.postgres = os.environ.get("PANO_BENCH_POSTGRES", "")
        self.name = f"pano-{async_mode}" + ("-pg" if self.postgres else "")
        self.database = ""  # the PostgreSQL database made for this run
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
        for sites_file in self.sites_files:
            with self.session_factory() as session:
                import_sites(session, sites_file)
                session.commit()
        self._import_playlist(self.playlist_dir)
        creds = []
        with self.session_factory() as session:
            for i in range(self.size):
                screen = f"bench-screen-{i:04d}"
                creds.append({"screen": screen, "index": i,
                              "token": issue_screen_token(session, screen)})
            session.commit()
        return creds

    def _import_playlist(self, path: Path) -> None:
        from controller.content.playlists_write import import_playlists
        from controller.media.store import MediaStore
        from controller.review.agencies import import_agencies

        with self.session_factory() as session:
            import_agencies(session, procs.REPO / "config" / "agencies.yaml")
            # As `pano-controller import` does: a text's new slides are drawn before the
            # commit (controller/timeline/ahead.py), so the change is ready to air.
            import_playlists(session, path, MediaStore(self.data_dir / "media"),
                             procs.REPO / "media", approve=True, draw_slides=True)
            session.commit()

    def start(self, workdir: Path, size: int) -> Any:
        self.workdir, self.size = workdir, size
        self.data_dir = workdir / "var"
        self.db_url = (self._new_postgres_database(size) if self.postgres
                       else f"sqlite:///{self.data_dir / 'pano.db'}")
        # A sites file is refused over 1 MiB: 1000 screens (10 sites) per file.
        sites = sites_yaml(size, TENTH)["sites"]
        self.sites_files = []
        for n in range(0, len(sites), SITES_PER_FILE):
            self.sites_files.append(workdir / f"sites-{n // SITES_PER_FILE}.yaml")
            self.sites_files[-1].write_text(yaml.safe_dump(
                {"sites": sites[n:n + SITES_PER_FILE]}, allow_unicode=True))
        self.playlist_dir = workdir / "playlists"
        self.playlist_dir.mkdir(parents=True, exist_ok=True)
        original = (procs.REPO / "playlists" / f"{PLAYLIST}.yaml").read_text(encoding="utf-8")
        tenth = original.replace(f"id: {PLAYLIST}\n", f"id: {TENTH}\n", 1)
        if tenth == original:
            raise RuntimeError(f"playlists/{PLAYLIST}.yaml has no 'id: {PLAYLIST}' line; "
                               "update bench/pano_system.py")
        self.originals = {PLAYLIST: original, TENTH: tenth}
        for name, text in self.originals.items():
            (self.playlist_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
        creds = self._prepare_database()
        self.port = procs.free_port()
        self.config = workdir / "controller.yaml"
        self.config.write_text(yaml.safe_dump({
            "host": "127.0.0.1", "port": self.port, "data_dir": str(self.data_dir),
            "async_mode": self.async_mode, "media_source_dir": str(procs.REPO / "media"),
            "config_dir": str(workdir)}))
        self.creds_parts = creds
        proc = self.launch()
        self._capture_timeline()
        return proc

    def launch(self) -> Any:
        """Start the controller process on the prepared database and port (also to
        restart it: the reconnect storm)."""
        proc = procs.start(
            [PY, "-m", "controller.cli", "--config", str(self.config), "--data-dir",
             str(self.data_dir), "--port", str(self.port), "serve"],
            env={"PANO_ASYNC_MODE": self.async_mode,
                 **({"PANO_DATABASE_URL": self.db_url} if self.postgres else {})},
            log=self.workdir / "server.log")
        procs.wait_for_port(self.port, 60, proc)
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
    def change(self, scope: str = "all") -> float:
        """Edit the first text of the scope's playlists in place (with
        ``PANO_BENCH_EDIT=duration``: the first text item's duration, which needs no new
        slide) and re-import them in one transaction, drawing the new slides first as
        ``pano-controller import`` does; returns the moment the import was committed (the
        change exists for the controller from then on). "all": both playlists (every
        screen); "tenth": bench-tenth only (every tenth screen)."""
        if scope not in SCOPES:
            raise ValueError(f"unknown change scope {scope!r}; one of {', '.join(SCOPES)}")
        self.round += 1
        names = [TENTH] if scope == "tenth" else [PLAYLIST, TENTH]
        for name in names:
            if os.environ.get("PANO_BENCH_EDIT") == "duration":  # no new slide to draw
                text = self.originals[name].replace(
                    "duration: 8\n", f"duration: {8 + self.round}\n", 1)
            else:
                marker = f"Thành phố Festival (lần đo {self.round})"
                text = self.originals[name].replace("Thành phố Festival", marker, 1)
            if text == self.originals[name]:
                raise RuntimeError(f"{name}.yaml: the benchmark's edit found nothing to "
                                   "change; update bench/pano_system.py")
            (self.playlist_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
        path = self.playlist_dir / f"{TENTH}.yaml" if scope == "tenth" else self.playlist_dir
        started = time.monotonic()
        self._import_playlist(path)
        committed = time.monotonic()
        self.write_ms.append((committed - started) * 1000)
        return committed

    def _new_postgres_database(self, size: int) -> str:
        from sqlalchemy import create_engine, text

        self.database = f"pano_bench_{size}_{os.getpid()}"
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        return self.postgres.rsplit("/", 1)[0] + f"/{self.database}"

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        if self.database:
            from sqlalchemy import create_engine, text

            admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            admin.dispose()
            self.database = ""
