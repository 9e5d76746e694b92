"""Fixtures for the data-layer tests: real SQLite files, real YAML files, real media."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from controller.db import make_engine, make_session_factory, upgrade
from controller.models import ChangeCounter, Media, Playlist, PlaylistVersion, Screen, Site

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'db' / 'pano.db'}"
    upgrade(url)
    return url


def engine_at(url: str, revision: str):  # noqa: ANN201 - an Engine
    """An engine on a new database upgraded only to ``revision``, as an older controller
    left it (then ``upgrade(url)`` runs the newer migrations over its rows)."""
    from alembic import command

    from controller.db import alembic_config

    engine = make_engine(url)
    with engine.begin() as connection:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    return engine


@pytest.fixture
def sessions(db_url: str):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(sessions):
    with sessions() as s:
        yield s


def snapshot(session) -> dict:
    """What a user could notice in the database: row counts and the change counter."""
    session.rollback()
    count = lambda model: session.execute(select(func.count()).select_from(model)).scalar()  # noqa: E731
    return {
        "sites": count(Site), "screens": count(Screen), "playlists": count(Playlist),
        "versions": count(PlaylistVersion), "media": count(Media),
        "counter": session.execute(select(ChangeCounter.value)).scalar(),
    }


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def mp4_bytes() -> bytes:
    """An ISO base media file: an ftyp box (brand isom) and an empty mdat box."""
    body = b"ftyp" + b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    return struct.pack(">I", len(body) + 4) + body + struct.pack(">I", 8) + b"mdat"


def webm_bytes() -> bytes:
    """An EBML header declaring DocType webm."""
    return (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
            b"\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 32)


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """A media source directory with the project's demo JPEGs."""
    target = tmp_path / "media"
    shutil.copytree(REPO / "media", target)
    return target


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the repository's config/, playlists/ and media/: a fresh install."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("config", "playlists", "media"):
        shutil.copytree(REPO / name, work / name)
    return work


def clean_env_of(env: dict[str, str]) -> dict[str, str]:
    """``env`` without the controller's settings (``PANO_*``); the tests' cheap password
    hashing (tests/conftest.py) stays."""
    return {k: v for k, v in env.items()
            if not k.startswith("PANO_") or k == "PANO_INSECURE_FAST_PASSWORD_HASH"}


def clean_env() -> dict[str, str]:
    return clean_env_of(dict(os.environ))


def run_cli(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "controller.cli", *args],
        cwd=cwd, env={**clean_env(), "PYTHONPATH": str(REPO)}, input=stdin,
        capture_output=True, text=True, timeout=60,
    )


def cli_here(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``run_cli`` without the subprocess: the same ``main`` run in this process (in
    ``cwd``, with the same environment, stdin and output captured), for the tests of
    what a command does rather than of how it starts (test_cli.py covers that, as a
    subprocess). A controller process costs about 0.7 s of CPU in imports alone."""
    import contextlib
    import io

    from controller.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_stdin = dict(os.environ), sys.stdin
    os.environ.clear()
    os.environ.update(clean_env_of(saved_env))
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                status = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["pano-controller", *args], status, out.getvalue(),
                                       err.getvalue())


def make_video(tmp_path: Path, suffix: str) -> Path:
    """A real one-second clip (``.mp4`` H.264 or ``.webm`` VP8) made by Debian's ffmpeg,
    with a title and a location in its metadata. Skipped without ffmpeg, except on CI."""
    if shutil.which("ffmpeg") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg is missing on CI (scripts/install-system-deps.sh)")
        pytest.skip("ffmpeg is not installed (Debian package ffmpeg)")
    out = tmp_path / "in" / f"clip{suffix}"
    out.parent.mkdir(exist_ok=True)
    codec = ["-c:v", "libvpx"] if suffix == ".webm" else ["-pix_fmt", "yuv420p"]
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=1:size=64x48:rate=10", *codec, "-metadata",
                    "title=Secret title", "-metadata", "location=+16.46+107.59/",
                    str(out)], check=True)
    return out


def webp_bytes() -> bytes:
    """A real (tiny) WebP image."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, "WEBP")
    return out.getvalue()
