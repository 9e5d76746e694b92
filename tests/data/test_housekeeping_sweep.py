"""What crashes leave behind, swept by the rules of ``controller/housekeeping`` (issue
10, defect 10), on a real SQLite database and real files: work folders another live
process holds survive, abandoned ones go; store files any row names (a draft, a
timeline, the audit log …) survive, orphans go once older than the grace period; the
store's place-then-insert order and the grace period agree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.db import make_engine, make_session_factory, upgrade
from controller.housekeeping.orphan_media import EmptyDatabase, sweep_orphan_media
from controller.housekeeping.sweep import sweep
from controller.housekeeping.work_folders import (
    FolderInUse,
    WorkFolder,
    sweep_work_folders,
    work_root,
)
from controller.media.store import MediaStore
from controller.models import (
    AuditEntry,
    Media,
    Playlist,
    PlaylistVersion,
    Screen,
    ScreenTimeline,
    Site,
)
from controller.settings import load_settings

from .conftest import REPO, clean_env, cli_here, png_bytes

DAY = 24 * 3600.0
HOLDER = """
import sys, time
from pathlib import Path
from controller.housekeeping.work_folders import WorkFolder
folder = WorkFolder.create(Path(sys.argv[1]), "playlist-import")
(folder.path / "upload.zip").write_bytes(b"x" * 100_000)
print(folder.path, flush=True)
time.sleep(120)
"""


def backdate(path: Path, seconds: float = 2 * DAY) -> None:
    when = time.time() - seconds
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (when, when), follow_symlinks=False)


def holder(data_dir: Path) -> tuple[subprocess.Popen[str], Path]:
    """Another live process working in a folder of its own."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], cwd=REPO,
                            env={**clean_env(), "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


# --------------------------------------------------------------------- work folders


def test_a_folder_another_live_process_holds_survives_until_it_is_killed(tmp_path):
    proc, folder = holder(tmp_path)
    try:
        assert folder.parent == work_root(tmp_path) and folder.is_dir()
        backdate(folder)  # old, but in use
        assert sweep_work_folders(tmp_path, grace=0) == ([], 1)
        assert (folder / "upload.zip").is_file()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    removed, in_use = sweep_work_folders(tmp_path, grace=DAY)  # no grace needed
    assert in_use == 0 and not folder.exists()
    assert [(r.path, r.size, r.reason) for r in removed] == [
        (folder, 100_000, "abandoned work folder")]


def test_a_folder_of_this_process_survives_and_goes_with_its_context(tmp_path):
    with WorkFolder.create(tmp_path, "media-upload") as folder:
        (folder.path / "upload").write_bytes(b"data")
        assert sweep_work_folders(tmp_path, grace=0) == ([], 1)
        assert (folder.path / "upload").is_file()
    assert list(work_root(tmp_path).iterdir()) == []


def test_a_released_folder_waits_for_its_claimer(tmp_path):
    folder = WorkFolder.create(tmp_path, "job")
    (folder.path / "upload").write_bytes(b"queued")
    folder.release(keep=DAY)
    assert sweep_work_folders(tmp_path, grace=0) == ([], 1)
    claimed = WorkFolder.claim(folder.path)
    with pytest.raises(FolderInUse, match="in use by another process"):
        WorkFolder.claim(folder.path)
    claimed.release(keep=0)  # e.g. its worker died: nobody will claim it any more
    removed, _ = sweep_work_folders(tmp_path, grace=DAY)
    assert [r.path for r in removed] == [folder.path] and not folder.path.exists()
    with pytest.raises(FileNotFoundError):
        WorkFolder.claim(folder.path)


def test_things_without_a_lock_go_only_after_the_grace_period(tmp_path):
    root = work_root(tmp_path)
    half_made = root / ".new-playlist-import-abc"
    half_made.mkdir(parents=True)
    stray = root / "pano-upload-xyz"
    stray.mkdir()
    (stray / "big.bin").write_bytes(b"\0" * 4096)
    assert sweep_work_folders(tmp_path, grace=3600) == ([], 0)
    backdate(stray)
    removed, _ = sweep_work_folders(tmp_path, grace=3600, dry_run=True)
    assert [(r.path, r.size) for r in removed] == [(stray, 4096)] and stray.exists()
    removed, _ = sweep_work_folders(tmp_path, grace=3600)
    assert [r.path for r in removed] == [stray] and not stray.exists()
    assert half_made.exists()


# --------------------------------------------------------------------- orphan media


def _file(store: MediaStore, data: bytes, age: float = 2 * DAY) -> str:
    src = store.root.parent / "src.bin"
    src.write_bytes(data)
    sha, _, _ = store.place(src)
    backdate(store.path_for(sha), age)
    return sha


def _media(session, sha: str, size: int) -> None:
    session.add(Media(sha256=sha, size=size, mime="image/png", kind="image"))


def _items(sha: str) -> list[dict]:
    variant = {"title": "x", "body": None, "media": sha, "url": None}
    return [{"id": "a", "type": "image", "duration": 5,
             "variants": {"vi": variant, "en": variant}}]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_session(request, db_url):
    """A session on SQLite, then on a real PostgreSQL (JSON columns read as text)."""
    url = db_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def test_only_old_files_no_row_names_are_removed(tmp_path, any_session):
    session = any_session
    store = MediaStore(tmp_path / "media")
    kept, gone = {}, {}
    kept["media row"] = _file(store, png_bytes(3, 3))
    _media(session, kept["media row"], 10)
    kept["draft"] = _file(store, b"only a draft names me")
    session.add(Playlist(id="p", title_vi="p", title_en="p"))
    session.flush()
    session.add(PlaylistVersion(playlist_id="p", number=1, items=_items(kept["draft"]),
                                content_hash="0" * 64, state="draft"))
    kept["timeline"] = _file(store, b"only a timeline names me")
    session.add(Site(id="s", name_vi="s", name_en="s"))
    session.flush()
    session.add(Screen(id="sc", site_id="s", name_vi="s", name_en="s",
                       orientation="landscape", width=1920, height=1080, languages=["vi"]))
    session.flush()
    session.add(ScreenTimeline(screen_id="sc", version=1, content_hash="1" * 64,
                               body={"items": [], "media": [kept["timeline"]]}))
    kept["audit"] = _file(store, b"only the audit log names me")
    session.add(AuditEntry(actor="system", action="media.upload", object_type="media",
                           object_id=kept["audit"]))
    kept["young orphan"] = _file(store, b"placed a minute ago, row not yet committed", 60)
    gone["orphan"] = _file(store, b"x" * 5000)
    gone["another orphan"] = _file(store, b"y" * 7000)
    session.commit()
    screenshot = store.root / "screenshots" / "sc" / "cmd.png"
    screenshot.parent.mkdir(parents=True)
    screenshot.write_bytes(b"a screenshot")
    incoming = store.root / ".incoming-abc"
    incoming.write_bytes(b"z" * 300)
    work = store.root / ".work-def"
    work.mkdir()
    (work / "clean.jpg").write_bytes(b"w" * 200)
    young_incoming = store.root / ".incoming-now"
    young_incoming.write_bytes(b"being written")
    for path in (screenshot, incoming, work):
        backdate(path)

    dry = sweep_orphan_media(session, store, DAY, dry_run=True)
    assert all(store.exists(sha) for sha in gone.values()) and incoming.exists()
    removed = sweep_orphan_media(session, store, DAY)
    assert removed == dry
    assert sorted((r.path, r.size, r.reason) for r in removed) == sorted(
        [(store.path_for(gone["orphan"]), 5000, "media file no row names"),
         (store.path_for(gone["another orphan"]), 7000, "media file no row names"),
         (incoming, 300, "temporary file of an interrupted write"),
         (work, 200, "temporary file of an interrupted write")])
    for what, sha in kept.items():
        assert store.exists(sha), what
    assert not any(store.exists(sha) for sha in gone.values())
    assert screenshot.exists() and young_incoming.exists()
    assert not list(store.root.glob(".sweep-*"))


def test_placing_an_old_orphan_again_makes_it_young(tmp_path, session):
    """The store's place-then-insert order: an import that finds its file already in
    the store (an orphan of an earlier crash) touches it, so a sweep between its place
    and its commit spares it."""
    store = MediaStore(tmp_path / "media")
    _media(session, _file(store, b"something else"), 14)
    session.commit()
    sha = _file(store, b"left by a crashed import")
    src = tmp_path / "again.bin"
    src.write_bytes(b"left by a crashed import")
    assert store.place(src) == (sha, 24, False)  # already there: not written again
    assert sweep_orphan_media(session, store, DAY) == []
    assert store.exists(sha)
    _media(session, sha, 24)  # the import commits its row
    session.commit()
    backdate(store.path_for(sha))
    assert sweep_orphan_media(session, store, 0) == []


def test_a_database_that_names_no_media_sweeps_nothing(tmp_path, session):
    store = MediaStore(tmp_path / "media")
    sha = _file(store, b"a file of another database")
    with pytest.raises(EmptyDatabase, match="is database_url right"):
        sweep_orphan_media(session, store, 0)
    assert store.exists(sha)


# --------------------------------------------------------------------- together, CLI


def _data_dir(tmp_path: Path) -> tuple[Path, MediaStore, str, str]:
    """A data directory after a crash: an abandoned work folder, a referenced file and
    an old orphan in the store."""
    data = tmp_path / "var"
    settings = load_settings(data_dir=data)
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    store = MediaStore(settings.media_dir)
    with make_session_factory(engine)() as session:
        kept = _file(store, png_bytes(2, 2))
        _media(session, kept, 10)
        session.commit()
    engine.dispose()
    orphan = _file(store, b"o" * 2048)
    proc, folder = holder(data)
    (folder / "upload.zip").write_bytes(b"u" * 3 * 1024 * 1024)
    proc.kill()  # the import died: its lock is gone, its folder stays
    proc.wait(10)
    return data, store, kept, orphan


def test_sweep_reports_counts_and_bytes(tmp_path):
    data, store, kept, orphan = _data_dir(tmp_path)
    settings = load_settings(data_dir=data)
    engine = make_engine(settings.db_url)
    report = sweep(settings, make_session_factory(engine))
    engine.dispose()
    assert report.summary() == ("removed 1 work folder (3.0 MiB) and 1 unreferenced media "
                                "file (2,048 bytes)")
    assert store.exists(kept) and not store.exists(orphan)
    assert list(work_root(data).iterdir()) == []


def test_cli_media_sweep_dry_run_then_for_real(tmp_path):
    data, store, kept, orphan = _data_dir(tmp_path)
    first = cli_here(tmp_path, "--data-dir", str(data), "media", "sweep", "--dry-run")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[-1] == ("Would remove 1 work folder (3.0 MiB) and 1 unreferenced media "
                         "file (2,048 bytes).")
    assert f"would remove {store.path_for(orphan)} (2,048 bytes): media file no row " \
        "names" in lines
    assert store.exists(orphan) and any(work_root(data).iterdir())
    second = cli_here(tmp_path, "--data-dir", str(data), "media", "sweep")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1].startswith("Removed 1 work folder (3.0 MiB)")
    assert store.exists(kept) and not store.exists(orphan)
    third = cli_here(tmp_path, "--data-dir", str(data), "media", "sweep")
    assert third.stdout.strip() == "Nothing to remove."
    bad = cli_here(tmp_path, "--data-dir", str(data), "media", "sweep", "--grace-hours", "-1")
    assert bad.returncode == 2 and "is not a number of hours" in bad.stderr
