"""Screen truth for people (admins and technicians; docs/api-admin.md "Screen truth"):

- ``GET /api/v1/screens/<id>/truth``: the newest periodic capture of the screen, its
  verdict (``ok``, ``black``, ``frozen``, ``wrong``, ``unknown``) and reason, the frame
  the controller expected then (``verdict: null`` before the first capture), and
  ``page``: the last heartbeat's ``display`` (is the kiosk page alive, its item).
- ``GET /api/v1/screens/<id>/truth/capture``: that capture's picture;
- ``GET /api/v1/screens/<id>/truth/expected``: the expected frame (the item's rendered
  slide or its rendition for the screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.media.store import is_sha256
from controller.models import Media, Screen, ScreenCommand, ScreenStatus
from controller.players.commands import iso_z
from controller.refusals import refusal
from controller.screen_truth.intake import FILE_RE, captures_dir
from controller.screen_truth.verdicts import latest_capture, verdict_of
from controller.state import db, state

screen_truth_api = Blueprint("screen_truth_api", __name__, url_prefix="/api/v1")

ROLES = ("admin", "technician")


def _capture(screen_id: str) -> tuple[Screen, ScreenCommand | None]:
    screen = db().get(Screen, screen_id) if len(screen_id) <= 64 else None
    if screen is None:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id[:64]))
    return screen, latest_capture(db(), screen.id)


def truth_json(screen_id: str, row: ScreenCommand | None,
               page: Any = None) -> dict[str, Any]:
    """The screen's newest capture, verdict and expected frame, and what its player last
    said of its kiosk page (the heartbeat's ``display``), as the API says them."""
    verdict = None if row is None else verdict_of(row)
    result = (row.result or {}) if row is not None else {}
    expected = result.get("expected") if isinstance(result.get("expected"), dict) else None
    base = f"/api/v1/screens/{screen_id}/truth"
    return {
        "screen": screen_id,
        "page": page if isinstance(page, dict) else None,
        "verdict": None if verdict is None else {
            "verdict": verdict["verdict"], "at": iso_z(verdict["at"]),
            "reason": verdict["reason"], "distance": result.get("distance")},
        "capture": None if row is None else {
            "url": f"{base}/capture", "taken_at": result.get("taken_at"),
            "item": result.get("item"), "languages": result.get("languages") or [],
            "page_item": result.get("page_item"),
            "mime": result.get("mime"), "width": result.get("width"),
            "height": result.get("height"), "size": result.get("size")},
        "expected": None if expected is None else {
            "url": f"{base}/expected", "what": expected.get("what"),
            "media": expected.get("sha256")},
    }


@screen_truth_api.get("/screens/<screen_id>/truth")
@require_role(*ROLES)
def truth(screen_id: str) -> Any:
    screen, row = _capture(screen_id)
    status = db().get(ScreenStatus, screen.id)
    return truth_json(screen.id, row, (status.facts or {}).get("display") if status else None)


def _picture(path: Path, mime: str, gone: str) -> Response:
    try:
        data = path.read_bytes()  # at most 8 MiB; a newer capture may replace it
    except OSError:
        raise ApiError(404, gone) from None
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "no-store"
    return response


@screen_truth_api.get("/screens/<screen_id>/truth/capture")
@require_role(*ROLES)
def capture(screen_id: str) -> Any:
    screen, row = _capture(screen_id)
    name = str(((row.result or {}) if row else {}).get("file") or "")
    if row is None or not FILE_RE.fullmatch(name):
        raise ApiError(404, refusal("Screen %(screen)s has sent no periodic capture yet "
                                    "(the player's capture_interval).", screen=screen.id))
    path = captures_dir(state().settings.media_dir, screen.id) / name
    return _picture(path, str((row.result or {}).get("mime") or "image/png"),
                    refusal("The capture of screen %(screen)s was just replaced by a newer "
                            "one; ask again.", screen=screen.id))


@screen_truth_api.get("/screens/<screen_id>/truth/expected")
@require_role(*ROLES)
def expected(screen_id: str) -> Any:
    screen, row = _capture(screen_id)
    shown = ((row.result or {}) if row else {}).get("expected") or {}
    sha = str(shown.get("sha256") or "") if isinstance(shown, dict) else ""
    if not is_sha256(sha):
        raise ApiError(404, refusal("No expected frame for the last capture of screen "
                                    "%(screen)s (a video, a web page or no capture yet).",
                                    screen=screen.id))
    media = db().get(Media, sha)
    return _picture(state().store.path_for(sha), media.mime if media else "image/png",
                    refusal("The expected frame of screen %(screen)s is no longer in the "
                            "media store.", screen=screen.id))
