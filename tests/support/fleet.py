"""A small fleet for end-to-end tests: the repo's real sites with fast demo playlists.

The suite's cost is mostly CPU on a small machine, and a ``pano-controller`` subprocess
costs about a second of it (its imports). So ``prepare`` imports each set of playlists once
per test process and copies the result (a data directory is a SQLite file, a secret key and
the media store), and tokens are issued by the same CLI code run in this process
(``controller.cli.main``). The CLI as a subprocess is tested in tests/data/."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from support.prerender import render_once
from support.processes import REPO, controller_cli

TOKEN_RE = re.compile(r"\b(pst_[A-Za-z0-9_\-]+)")
USER_TOKEN_RE = re.compile(r"\b(pat_[A-Za-z0-9_\-]+)")


def fast_playlists(dest: Path, seconds: float = 1.5) -> Path:
    """Copies of the demo playlists with every item shortened to ``seconds``."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in (REPO / "playlists").glob("*.yaml"):
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
        for item in data["items"]:
            item["duration"] = seconds
        (dest / src.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dest


def set_title(playlist_file: Path, item_id: str, lang: str, title: str) -> None:
    """Edit one text in a playlist file (an operator's change)."""
    data = yaml.safe_load(playlist_file.read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["id"] == item_id:
            item["variants"][lang]["title"] = title
    playlist_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


_PREPARED: dict[str, Path] = {}  # what was imported -> a data directory holding it


def _import_key(playlists: Path) -> str:
    digest = hashlib.sha256()
    for path in [REPO / "config" / "agencies.yaml", REPO / "config" / "layouts.yaml",
                 REPO / "config" / "sites.yaml",
                 *sorted(playlists.glob("*.yaml"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def prepare(data_dir: Path, playlists: Path) -> None:
    """``pano-controller import`` of the repo's agencies and sites and ``playlists`` into
    ``data_dir``; a copy of an earlier identical import when ``data_dir`` is new."""
    args = ("import", "--agencies", str(REPO / "config" / "agencies.yaml"),
            "--layouts", str(REPO / "config" / "layouts.yaml"),  # named by sites.yaml
            "--sites", str(REPO / "config" / "sites.yaml"), "--playlists", str(playlists))
    if (data_dir / "pano.db").exists():  # an import over existing data: the real thing
        controller_cli(data_dir, *args)
        return
    key = _import_key(playlists)
    template = _PREPARED.get(key)
    if template is None:
        home = Path(tempfile.mkdtemp(prefix="pano-prepared-"))
        atexit.register(shutil.rmtree, home, True)
        template = home / "data"
        controller_cli(template, *args)
        render_once(template)
        _PREPARED[key] = template
    shutil.copytree(template, data_dir, dirs_exist_ok=True)


def cli_here(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """One ``pano-controller`` command run in this process: (status, stdout, stderr)."""
    from controller.cli import main

    # Standard output with a ``buffer``, as a process's has (an export writes bytes).
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--data-dir", str(data_dir), *args])
    out.flush()
    return status, out.buffer.getvalue().decode("utf-8"), err.getvalue()


def screen_token(data_dir: Path, screen: str) -> str:
    status, out, err = cli_here(data_dir, "screens", "token", screen)
    match = TOKEN_RE.search(out)
    assert status == 0 and match, f"no token in: {out} {err}"
    return match.group(1)


def admin_token(data_dir: Path) -> str:
    status, out, err = cli_here(data_dir, "users", "add", "tech", "--role", "admin")
    assert status == 0 or "exists" in (err + out), err
    status, out, err = cli_here(data_dir, "users", "token", "tech")
    match = USER_TOKEN_RE.search(out)
    assert status == 0 and match, f"no token in: {out} {err}"
    return match.group(1)


