"""Playlist files over HTTP (docs/api-playlists.md): export a version as a zip
(``<id>.yaml`` + ``media/``) or as YAML, and import an uploaded ``.yaml``/``.zip`` as
drafts of the caller (never approved).

Uploads are hostile until checked (``controller/content/playlist_bundle.py``): an
unreadable or unsafe upload is a 400, an invalid playlist a 422 whose message names the
uploaded file and line; either way nothing is written. The import itself is a job
(``controller/jobs/``): the answer is the same when it ends within ``jobs_wait``
seconds, else a 202 with the job to follow."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, Response, request, send_file

from controller.api.errors import ApiError
from controller.api.jobs import ANSWERS, hand_over
from controller.api.playlists import READERS, details, load
from controller.api.user_auth import require_role
from controller.api.users import Sentence
from controller.content.playlist_bundle import MAX_UPLOAD, display_name, write_bundle
from controller.content.playlists_export import export_playlist
from controller.jobs.waiting import read_cooperatively
from controller.models import Job, Playlist
from controller.refusals import refusal
from controller.state import db, state

playlist_files_api = Blueprint("playlist_files_api", __name__, url_prefix="/api/v1")

IMPORTERS = ("admin", "editor")


@playlist_files_api.get("/playlists/<playlist_id>/export")
@require_role(*READERS)
def export(playlist_id: str) -> Any:
    _, playlist = load(playlist_id)
    raw_version = request.args.get("version")
    version: int | None = None
    if raw_version:
        try:
            version = int(raw_version)
        except ValueError:
            raise ApiError(400, refusal("'version' must be a version number, got "
                                        "%(version)r.", version=raw_version[:20])) from None
    fmt = request.args.get("format", "zip")
    if fmt not in ("zip", "yaml"):
        raise ApiError(400, refusal("Unknown format %(format)r; use zip (default) or yaml.",
                                    format=fmt[:20]))
    store = state().store
    try:
        text, media = export_playlist(db(), store, playlist.id, version)
    except LookupError as exc:
        raise ApiError(404, Sentence(exc.args[0] if exc.args else str(exc))) from None
    if fmt == "yaml":
        response = Response(text, content_type="application/yaml; charset=utf-8")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{playlist.id}.yaml"')
        return response
    out = tempfile.TemporaryFile()
    try:
        write_bundle(out, store, f"{playlist.id}.yaml", text, media)
    except LookupError as exc:
        out.close()
        raise ApiError(500, refusal("Cannot export: %(why)s.", why=str(exc))) from None
    out.seek(0)
    return send_file(out, mimetype="application/zip", as_attachment=True,
                     download_name=f"{playlist.id}.zip")


@playlist_files_api.post("/playlists/import")
@require_role(*IMPORTERS)
def import_file() -> Any:
    read_cooperatively(request.environ, state().socketio.sleep)
    request.max_content_length = MAX_UPLOAD
    if not request.mimetype == "multipart/form-data":
        raise ApiError(400, refusal("Send the file as multipart/form-data in the field "
                                    "'file'."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, refusal("No file: send it in the multipart field 'file'."))
    extra = sorted(set(request.files) - {"file"}) + sorted(request.form)
    if extra:
        raise ApiError(400, refusal("Unknown field(s): %(fields)s (send only 'file').",
                                    fields=", ".join(extra)))
    name = display_name(upload.filename)
    # The unpacking, the media checks and the draft writes are the job worker's
    # (controller/jobs/playlist_import.py): this process serves every socket.
    return hand_over("playlist_import", name, upload.stream, MAX_UPLOAD,
                     refusal("The upload is larger than %(mib)d MiB.",
                             mib=MAX_UPLOAD // (1024 * 1024)),
                     f"Waiting to import {name}")


def _import_answer(job: Job) -> dict[str, Any]:
    """A done import job's body: the report and each imported playlist as it is now."""
    result = job.result or {}
    session = db()
    playlists = [details(p) for pid in result.get("playlist_ids", [])
                 if (p := session.get(Playlist, pid)) is not None]
    return {"created": result.get("created", 0), "updated": result.get("updated", 0),
            "unchanged": result.get("unchanged", 0), "notes": result.get("notes", []),
            "playlists": playlists}


ANSWERS["playlist_import"] = _import_answer
