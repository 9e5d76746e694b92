"""A periodic capture arrives (``PUT /api/v1/player/screenshot?periodic=1&item=…``):
checked, judged against the expected frame and the previous capture, kept.

Order, so that a refusal changes nothing: the spacing is checked, then the picture is
decoded whole, once, beside the event loop (``controller.off_loop``: a body that is not
a PNG or JPEG is refused here, nothing is written and the previous verdict stands), then
judged; only then is its file written (a temporary
file renamed) and its row committed; older files of the screen go last. A capture is
evidence for a few minutes, not a record: only the newest file of a screen is kept (in
``<media_dir>/captures/<screen>/``), and the rows with the hashes and verdicts of its
last :data:`KEEP` captures."""

from __future__ import annotations

import dataclasses
import re
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from controller.models import ScreenCommand
from controller.off_loop import run_off_loop
from controller.players.commands import SCREENSHOT_FORMATS, SCREENSHOT_MAX_SIDE, iso_z
from controller.screen_truth.analysis import (
    Look,
    NotAnImage,
    as_shown,
    decode,
    hash_hex,
    look,
)
from controller.screen_truth.expected import Expected, expected_frame
from controller.screen_truth.judge import judge
from controller.screen_truth.verdicts import CAPTURE, PERIODIC, latest_capture, previous_of
from controller.settings import Settings
from controller.zones.capture import crop_main

CAPTURES = "captures"
MAX_ITEM = 200
_LANG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_ITEM_RE = re.compile(r"[^\x00-\x1f\x7f]+")
FILE_RE = re.compile(r"[0-9a-f-]{36}\.(png|jpg)")
CAPTURE_FORMATS = ("PNG", "JPEG")  # what the screenshot path accepts
KEEP = 100  # capture rows kept per screen (about 8 hours at one every 5 minutes)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pictures decoded and compared at once, in real threads beside the event loop: a
# 1920×1080 capture and its expected frame cost tens of milliseconds of CPU.
PICTURE_THREADS = 2


class CaptureRefused(ValueError):
    """A periodic capture is refused; ``status`` is the HTTP status, ``str()`` says why
    (to the player, in English)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_args(args: Mapping[str, str]) -> tuple[str | None, list[str], str | None]:
    """(item, languages, page) from the query: ``item`` (what the player is showing,
    absent when nothing), ``languages`` (comma-separated, of the slide on screen),
    ``page_item`` (a kiosk's: the item its page confirmed drawing, empty when it
    confirmed none; absent from a player without a page)."""
    item = args.get("item") or None
    if item is not None and (len(item) > MAX_ITEM or not _ITEM_RE.fullmatch(item)):
        raise CaptureRefused(400, f"'item' must be the item's id, 1 to {MAX_ITEM} printable "
                                  "characters.")
    raw = args.get("languages") or ""
    languages = [lang for lang in raw.split(",") if lang] if raw else []
    if len(languages) > 8 or not all(_LANG_RE.fullmatch(lang) for lang in languages):
        raise CaptureRefused(400, "'languages' must be at most 8 language codes separated "
                                  "by commas, such as vi,en.")
    page = args.get("page_item")
    if page and (len(page) > MAX_ITEM or not _ITEM_RE.fullmatch(page)):
        raise CaptureRefused(400, f"'page_item' must be the id of the item the kiosk page "
                                  f"confirmed (at most {MAX_ITEM} printable characters) or "
                                  "empty. Nothing was stored.")
    return item, languages, page


def page_note(page: str | None, item: str | None, verdict: str) -> str:
    """What the kiosk page said, added to a verdict that finds the screen wrong, so that
    a technician knows where to look: at the display (the page drew the item) or at the
    page (behind, stuck, or drawing nothing)."""
    if page is None or item is None or verdict not in ("black", "frozen", "wrong"):
        return ""
    if page == item:
        return (" Its kiosk page confirmed drawing this item, so the page is not behind: "
                "look at the display, its cable and what Chromium draws.")
    if page:
        return (f" Its kiosk page said it showed {page[:80]!r} instead: the page is behind "
                "or stuck (reload it, or restart Chromium).")
    return (" Its kiosk page had confirmed no item on screen (a picture that does not "
            "decode, the page hidden or restarting).")


def captures_dir(media_dir: Path, screen_id: str) -> Path:
    return Path(media_dir) / CAPTURES / screen_id


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def receive(session: Session, settings: Settings, screen_id: str, data: bytes,
            item: str | None, languages: list[str], page: str | None = None
            ) -> dict[str, Any]:
    """Judge and keep a periodic capture of ``screen_id`` (commits); its facts and
    verdict. CaptureRefused (nothing changed) for a capture too soon or not a picture."""
    now = datetime.now(UTC)
    last = latest_capture(session, screen_id)
    if last is not None and settings.screen_truth_min_spacing > 0:
        since = (now - _aware(last.created_at)).total_seconds()
        if since < settings.screen_truth_min_spacing:
            raise CaptureRefused(429, f"A periodic capture came {since:.0f} s ago; send one "
                                      f"at most every {settings.screen_truth_min_spacing:.0f}"
                                      " s. Nothing was stored.")
    previous = previous_of(last)
    expected = expected_frame(session, settings.media_dir, screen_id, item, languages)
    session.close()  # its connection back to the pool while the pixels are looked at
    try:
        seen, expected_look, (mime, ext, width, height) = run_off_loop(
            "pictures", PICTURE_THREADS, look_at, data, settings.max_image_pixels,
            settings.screen_truth_black_level, expected)
    except NotAnImage as exc:
        raise CaptureRefused(400, f"{exc} Nothing was stored; the previous verdict "
                                  "stands.") from None
    if expected_look is None:
        expected = None
    verdict = judge(seen, item, expected_look, previous,
                    settings.screen_truth_tolerance, settings.screen_truth_frozen_distance)
    verdict = dataclasses.replace(
        verdict, reason=verdict.reason + page_note(page, item, verdict.verdict))
    command_id = str(uuid.uuid4())
    name = f"{command_id}{ext}"
    folder = captures_dir(settings.media_dir, screen_id)
    _write(folder, name, data)
    result = {"mime": mime, "width": width, "height": height, "size": len(data),
              "taken_at": iso_z(now), "file": name, "item": item, "languages": languages,
              "page_item": page,
              "dhash": hash_hex(seen.dhash), "mean": seen.mean, "verdict": verdict.verdict,
              "reason": verdict.reason, "distance": verdict.distance,
              "expected": None if expected is None else
              {"sha256": expected.sha256, "what": expected.what},
              "expected_dhash": None if expected_look is None else hash_hex(expected_look.dhash)}
    session.add(ScreenCommand(id=command_id, screen_id=screen_id, command=CAPTURE,
                              args={"periodic": True, "item": item, "languages": languages,
                                    "page_item": page},
                              status="done", message=verdict.reason[:1000], result=result,
                              requested_by=PERIODIC, created_at=now, finished_at=now))
    try:
        session.commit()
    except BaseException:
        session.rollback()
        (folder / name).unlink(missing_ok=True)
        raise
    for old in folder.iterdir():  # keep only the newest capture's file
        if old.name != name and FILE_RE.fullmatch(old.name):
            old.unlink(missing_ok=True)
    _prune(session, screen_id)
    return {k: v for k, v in result.items() if k not in ("file", "dhash", "expected_dhash")}


def look_at(data: bytes, max_pixels: int, black_level: int, expected: Expected | None,
            ) -> tuple[Look, Look | None, tuple[str, str, int, int]]:
    """The pixel work, pure and heavy (run off the event loop): the capture decoded once
    (its size checked before any pixel is, PNG or JPEG only), how it looks, how the
    expected frame looks as the page shows it (None if its file cannot be read), and the
    capture's (mime, extension, width, height). NotAnImage for a body that is not one."""
    picture = decode(data, max_pixels, CAPTURE_FORMATS)
    if max(picture.size) > SCREENSHOT_MAX_SIDE:
        raise NotAnImage(f"a capture of {picture.width}×{picture.height} pixels is not "
                         "plausible")
    mime, ext = SCREENSHOT_FORMATS["PNG" if data.startswith(PNG_SIGNATURE) else "JPEG"]
    # On a screen with zones, the item plays in the main area: compare that part.
    shown = crop_main(picture, expected.main) if expected is not None else picture
    seen = look(shown, black_level)
    expected_look = None
    if expected is not None:
        try:
            frame = decode(expected.path.read_bytes(), max_pixels)
            expected_look = look(as_shown(frame, shown.size, expected.what in ("slide", "frame")),
                                 black_level)
        except (OSError, NotAnImage):
            expected_look = None
    return seen, expected_look, (mime, ext, picture.width, picture.height)


def _prune(session: Session, screen_id: str) -> None:
    """Keep the newest ``KEEP`` capture rows of the screen: one every 5 minutes would
    otherwise add 100,000 rows a year per screen."""
    keep = select(ScreenCommand.id).where(
        ScreenCommand.screen_id == screen_id, ScreenCommand.command == CAPTURE,
        ScreenCommand.requested_by == PERIODIC,
    ).order_by(ScreenCommand.created_at.desc()).limit(KEEP)
    session.execute(delete(ScreenCommand).where(
        ScreenCommand.screen_id == screen_id, ScreenCommand.command == CAPTURE,
        ScreenCommand.requested_by == PERIODIC, ScreenCommand.id.not_in(keep)))
    session.commit()


def _write(folder: Path, name: str, data: bytes) -> None:
    """The capture's file, whole or not at all (no fsync: a capture lost in a power cut
    is replaced by the next one)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", delete=False) as out:
        out.write(data)
    try:
        Path(out.name).replace(folder / name)
    except OSError:
        Path(out.name).unlink(missing_ok=True)
        raise
