"""A small fleet for end-to-end tests: the repo's real sites with fast demo playlists."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

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


def prepare(data_dir: Path, playlists: Path) -> None:
    controller_cli(data_dir, "import", "--agencies", str(REPO / "config" / "agencies.yaml"),
                   "--sites", str(REPO / "config" / "sites.yaml"), "--playlists", str(playlists))


def screen_token(data_dir: Path, screen: str) -> str:
    out = controller_cli(data_dir, "screens", "token", screen).stdout
    match = TOKEN_RE.search(out)
    assert match, f"no token in: {out}"
    return match.group(1)


def admin_token(data_dir: Path) -> str:
    res = controller_cli(data_dir, "users", "add", "tech", "--role", "admin", check=False)
    assert res.returncode == 0 or "exists" in (res.stderr + res.stdout)
    out = controller_cli(data_dir, "users", "token", "tech").stdout
    match = USER_TOKEN_RE.search(out)
    assert match, f"no token in: {out}"
    return match.group(1)


