"""Remote commands to players (docs/protocol.md, ``command``): what may be sent, the
record of each command in ``screen_commands`` and the screenshots players upload.

Commands live in the database, not in a process, because the controller may run several
processes behind a message queue: the process that sends a command, the one holding the
player's socket (which receives ``command_result``) and the one that answers
``GET …/commands/<id>`` may all differ. A command is ``sent`` until it is finished once,
``done`` or ``failed``, by a conditional UPDATE, so the first answer wins everywhere.

Screenshots are files, ``<media_dir>/screenshots/<screen_id>/<command_id>.png|jpg``
(the media directory is shared by every process, docs/operations.md "Scaling out"); the
newest one of a screen is the one named by its newest finished ``screenshot`` command,
older files are deleted when a new one is stored.

Languages: a command's validation and why a screen cannot get one now reach *people*
(``POST /api/v1/screens/<id>/commands``, the panel), so they are refusals said in the
caller's language (``controller.refusals``; this file is extracted although the rest of
``controller.players`` is not, see ``controller.refusals.catalog``). What answers the
*player* (an uploaded screenshot refused, :class:`UploadRefused`) and the messages stored
with a finished command stay English, like the rest of the protocol (docs/protocol.md)."""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from controller.models import ScreenCommand, ScreenStatus
from controller.players.presence import is_online
from controller.refusals import Refusal, refusal
from player.messages import COMMANDS, IDENTIFY_SECONDS  # declared once, both sides
from player.store import fsync_dir

log = logging.getLogger("pano.players")

# Seconds a command may stay "sent" before it is reported failed (no answer).
ANSWER_TIMEOUT = {"identify": 60, "reload": 60, "clear_cache": 1800, "screenshot": 120,
                  "restart": 60, "reboot": 60}
# Commands a person must confirm (``"confirm": true``): a reboot blanks the screen for a
# minute or more. (A restart is over in seconds; the panel still asks first.)
NEEDS_CONFIRMATION = ("reboot",)
SCREENSHOT_MAX_BYTES = 8 * 1024 * 1024
SCREENSHOT_MAX_SIDE = 16384
SCREENSHOT_DIR = "screenshots"
SCREENSHOT_FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}
_FILE_RE = re.compile(r"[0-9a-f-]{36}\.(png|jpg)")
_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class CommandRefused(ValueError):
    """A command request or an upload that cannot be accepted; ``str()`` says why."""


class UploadRefused(CommandRefused):
    """A screenshot the player uploaded is refused: said to the player, in English."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite: naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def iso_z(moment: datetime | None) -> str | None:
    moment = _aware(moment)
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- requests ------------------------------------------------------------------------

def validate_request(body: Any) -> tuple[str, dict[str, Any]]:
    """``{"command": name, "args": {...}}`` -> (name, cleaned args), or CommandRefused."""
    if not isinstance(body, Mapping):
        raise CommandRefused(refusal("Send a JSON object such as {\"command\": "
                                     "\"identify\"}."))
    unknown = sorted(str(k)[:40] for k in body if k not in ("command", "args", "confirm"))
    if unknown:
        raise CommandRefused(refusal("Unknown field(s): %(fields)s (send 'command' and, for "
                                     "identify, 'args').", fields=", ".join(unknown)))
    name = body.get("command")
    if not isinstance(name, str) or name not in COMMANDS:
        raise CommandRefused(refusal("'command' must be one of %(commands)s; got %(got)r.",
                                     commands=", ".join(COMMANDS), got=str(name)[:40]))
    confirm = body.get("confirm", False)
    if not isinstance(confirm, bool):
        raise CommandRefused(refusal("'confirm' must be true or false."))
    if name in NEEDS_CONFIRMATION and not confirm:
        raise CommandRefused(refusal("A reboot turns the screen off for a minute or more: "
                                     "confirm it by sending \"confirm\": true with the "
                                     "command. Nothing was sent."))
    args = body.get("args")
    if args is None:
        args = {}
    if not isinstance(args, Mapping):
        raise CommandRefused(refusal("'args' must be a JSON object."))
    if name != "identify":
        if args:
            raise CommandRefused(refusal("%(command)s takes no arguments; send no 'args'.",
                                         command=name))
        return name, {}
    extra = sorted(str(k)[:40] for k in args if k != "seconds")
    if extra:
        raise CommandRefused(refusal("identify takes only 'seconds'; unknown: %(unknown)s.",
                                     unknown=", ".join(extra)))
    default, low, high = IDENTIFY_SECONDS
    seconds = args.get("seconds", default)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        raise CommandRefused(refusal("identify 'seconds' must be a whole number from %(low)d "
                                     "to %(high)d; got %(got)r.", low=low, high=high,
                                     got=str(seconds)[:20]))
    return name, {"seconds": seconds}


def is_command_id(value: Any) -> bool:
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def unreachable(session: Session, screen_id: str,
                heartbeat_interval: float) -> Refusal | None:
    """Why the screen cannot get a command now, or None if it can: some controller
    process holds its socket, or it was heard from over the socket within three heartbeat
    intervals (a process that restarts clears every ``connected`` flag, also those of
    other processes' players). A screen heard from only over HTTP (its WebSocket blocked
    on the way, docs/protocol.md section 3) has no way to receive one."""
    row = session.get(ScreenStatus, screen_id)
    if row is not None and row.connected:
        return None
    if row is None or not is_online(row.last_seen, heartbeat_interval):
        return refusal("Screen %(screen)s is not connected to the controller, so it cannot "
                       "receive a command now. Try again when it is online.", screen=screen_id)
    if (row.facts or {}).get("transport") == "http":
        return refusal("Screen %(screen)s reaches the controller over HTTP only (something on "
                       "the way blocks its WebSocket), so it cannot receive commands until "
                       "that is fixed (docs/operations.md, \"transport\": \"http\").",
                       screen=screen_id)
    return None


def create(session: Session, screen_id: str, name: str, args: dict[str, Any],
           requested_by: str) -> ScreenCommand:
    """A new ``sent`` command (added and flushed, not committed)."""
    command = ScreenCommand(id=str(uuid.uuid4()), screen_id=screen_id, command=name,
                            args=args, status="sent", message=None, result=None,
                            requested_by=requested_by[:100], created_at=_now())
    session.add(command)
    session.flush()
    return command


def event_payload(command: ScreenCommand) -> dict[str, Any]:
    """The ``command`` event a player receives."""
    return {"id": command.id, "command": command.command, "args": dict(command.args or {})}


# --- answers -------------------------------------------------------------------------

def finish(session: Session, command_id: str, screen_id: str, ok: bool, message: str,
           result: dict[str, Any] | None = None) -> str:
    """Finish a ``sent`` command of ``screen_id`` and commit: ``"finished"``, or
    ``"already"`` (it was finished before; nothing changes) or ``"unknown"``."""
    changed = session.execute(
        update(ScreenCommand)
        .where(ScreenCommand.id == command_id, ScreenCommand.screen_id == screen_id,
               ScreenCommand.status == "sent")
        .values(status="done" if ok else "failed", message=message[:1000],
                result=result or None, finished_at=_now())
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    if changed:
        return "finished"
    exists = session.scalar(select(ScreenCommand.id).where(
        ScreenCommand.id == command_id, ScreenCommand.screen_id == screen_id))
    return "already" if exists else "unknown"


def finish_after_reconnect(session: Session, screen_id: str) -> int:
    """A screen connects: a ``restart`` or ``reboot`` still ``sent`` did happen (its
    answer was lost as the player went away), so it is done. Commits; how many."""
    pending = session.scalars(select(ScreenCommand.id).where(
        ScreenCommand.screen_id == screen_id, ScreenCommand.status == "sent",
        ScreenCommand.command.in_(("restart", "reboot")))).all()
    for command_id in pending:
        finish(session, command_id, screen_id, True,
               "No answer arrived, but the player connected again since the command was "
               "sent, as it does after a restart or a reboot.")
    if not pending:
        session.rollback()
    return len(pending)


def expire_if_late(session: Session, command: ScreenCommand) -> ScreenCommand:
    """A command left ``sent`` past its answer timeout is failed (and stays failed)."""
    if command.status != "sent":
        return command
    limit = ANSWER_TIMEOUT.get(command.command, 120)
    created = _aware(command.created_at) or _now()
    if (_now() - created).total_seconds() <= limit:
        return command
    finish(session, command.id, command.screen_id, False,
           f"No answer from the player within {limit} s (it may have disconnected or "
           "restarted).")
    session.refresh(command)
    return command


def booted_after(command: ScreenCommand, row: ScreenStatus | None) -> str | None:
    """When the device of a ``done`` reboot came back: its system started (the last
    heartbeat's time minus its ``uptime``) after the command was sent; else None."""
    if command.command != "reboot" or command.status != "done" or row is None:
        return None
    uptime = (row.facts or {}).get("uptime")
    seen, sent = _aware(row.last_seen), _aware(command.created_at)
    if isinstance(uptime, bool) or not isinstance(uptime, int | float) or seen is None \
            or sent is None:
        return None
    booted = seen - timedelta(seconds=float(uptime))
    return iso_z(booted) if booted > sent else None


def as_json(command: ScreenCommand, row: ScreenStatus | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": command.id, "screen": command.screen_id, "command": command.command,
        "args": dict(command.args or {}), "status": command.status,
        "message": command.message, "requested_by": command.requested_by,
        "created_at": iso_z(command.created_at), "finished_at": iso_z(command.finished_at),
        "result": {k: v for k, v in (command.result or {}).items() if k != "file"},
    }
    if command.command == "reboot":  # null until the device reports a fresh start
        out["booted_at"] = booted_after(command, row)
    if command.command == "screenshot" and command.status == "done":
        shot = command.result or {}
        out["screenshot"] = {
            "url": f"/api/v1/screens/{command.screen_id}/screenshot",
            "taken_at": shot.get("taken_at"), "mime": shot.get("mime"),
            "width": shot.get("width"), "height": shot.get("height"),
            "size": shot.get("size")}
    return out


# --- screenshots ---------------------------------------------------------------------

@dataclass(frozen=True)
class Screenshot:
    path: Path
    mime: str
    taken_at: str
    command_id: str


def check_image(data: bytes) -> tuple[str, str, int, int]:
    """(mime, extension, width, height) of a complete PNG or JPEG, else UploadRefused."""
    if not data:
        raise UploadRefused("The body is empty: send the PNG or JPEG image.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format, img.size
            if fmt not in SCREENSHOT_FORMATS:
                raise UploadRefused(f"A screenshot must be PNG or JPEG, not {fmt}.")
            if not (0 < width <= SCREENSHOT_MAX_SIDE and 0 < height <= SCREENSHOT_MAX_SIDE):
                raise UploadRefused(f"A screenshot of {width}×{height} pixels is not "
                                    "plausible.")
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()  # the whole picture decodes (verify() does not decode JPEG)
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on bad input
        raise UploadRefused(f"The body is not a valid PNG or JPEG image ({exc}).") from None
    mime, ext = SCREENSHOT_FORMATS[fmt]
    return mime, ext, width, height


def _screen_dir(media_dir: Path, screen_id: str) -> Path:
    return Path(media_dir) / SCREENSHOT_DIR / screen_id


def store_screenshot(session: Session, media_dir: Path, command: ScreenCommand,
                     data: bytes) -> dict[str, Any]:
    """Check the image, write it, finish the command (commits). Returns its facts.
    Raises UploadRefused for a bad image, or if the command is no longer ``sent``."""
    mime, ext, width, height = check_image(data)
    folder = _screen_dir(media_dir, command.screen_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{command.id}{ext}"
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    facts = {"mime": mime, "width": width, "height": height, "size": len(data),
             "taken_at": iso_z(_now()), "file": name}
    outcome = finish(session, command.id, command.screen_id, True,
                     f"Screenshot received ({width}×{height}, {len(data)} bytes).", facts)
    if outcome != "finished":
        (folder / name).unlink(missing_ok=True)
        raise UploadRefused(f"Command {command.id} is already finished.")
    for old in folder.iterdir():  # keep only the newest
        if old.name != name and not old.name.startswith(".upload-"):
            old.unlink(missing_ok=True)
    return {k: v for k, v in facts.items() if k != "file"}


def latest_screenshot(session: Session, media_dir: Path, screen_id: str) -> Screenshot | None:
    commands = session.scalars(
        select(ScreenCommand)
        .where(ScreenCommand.screen_id == screen_id, ScreenCommand.command == "screenshot",
               ScreenCommand.status == "done")
        .order_by(ScreenCommand.finished_at.desc()).limit(5))
    for command in commands:
        result = command.result or {}
        name = result.get("file")
        if not isinstance(name, str) or not _FILE_RE.fullmatch(name):
            continue
        path = _screen_dir(media_dir, screen_id) / name
        if path.is_file():
            return Screenshot(path, str(result.get("mime") or "image/png"),
                              str(result.get("taken_at") or ""), command.id)
    return None
