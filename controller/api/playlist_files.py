"""Playlist files over HTTP (docs/api-playlists.md): export a version as a zip
(``<id>.yaml`` + ``media/``) or as YAML, and import an uploaded ``.yaml``/``.zip`` as
drafts of the caller (never approved).

Uploads are hostile until checked (``controller/content/playlist_bundle.py``): an
unreadable or unsafe upload is a 400, an invalid playlist a 422 whose message names the
uploaded file and line; either way nothing is written."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request, send_file

from controller.api.errors import ApiError
from controller.api.playlists import READERS, details, load
from controller.api.user_auth import current_actor, require_role
from controller.content.playlist_bundle import (
    MAX_UPLOAD,
    BundleMedia,
    BundleRefused,
    display_name,
    unpack_upload,
    write_bundle,
)
from controller.content.playlists_export import export_playlist
from controller.content.playlists_write import import_playlists
from controller.content.yamlfile import YamlError, load_yaml
from controller.models import Playlist
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
            raise ApiError(400, f"'version' must be a version number, got "
                                f"{raw_version[:20]!r}.") from None
    fmt = request.args.get("format", "zip")
    if fmt not in ("zip", "yaml"):
        raise ApiError(400, f"Unknown format {fmt[:20]!r}; use zip (default) or yaml.")
    store = state().store
    try:
        text, media = export_playlist(db(), store, playlist.id, version)
    except LookupError as exc:
        raise ApiError(404, str(exc).capitalize() + ".") from None
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
        raise ApiError(500, f"Cannot export: {exc}.") from None
    out.seek(0)
    return send_file(out, mimetype="application/zip", as_attachment=True,
                     download_name=f"{playlist.id}.zip")


@playlist_files_api.post("/playlists/import")
@require_role(*IMPORTERS)
def import_file() -> Any:
    request.max_content_length = MAX_UPLOAD
    if not request.mimetype == "multipart/form-data":
        raise ApiError(400, "Send the file as multipart/form-data in the field 'file'.")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "No file: send it in the multipart field 'file'.")
    extra = sorted(set(request.files) - {"file"}) + sorted(request.form)
    if extra:
        raise ApiError(400, f"Unknown field(s): {', '.join(extra)} (send only 'file').")
    name = display_name(upload.filename)
    session = db()
    actor = current_actor()
    with tempfile.TemporaryDirectory(prefix="pano-upload-") as tmp:
        workdir = Path(tmp)
        try:
            yaml_path, media_dir = unpack_upload(name, upload.stream, workdir)
        except BundleRefused as exc:
            raise ApiError(400, str(exc)) from None
        shown = name if media_dir is None else f"{name}/{yaml_path.name}"
        checker = BundleMedia(media_dir, session, state().store)
        try:
            report = import_playlists(
                session, yaml_path, state().store, checker,  # type: ignore[arg-type]
                state().settings.language_config, approve=False, actor=actor,
                source=f"upload:{name}")
        except YamlError as exc:
            session.rollback()
            raise ApiError(422, _describe(exc, shown, workdir, media_dir)) from None
        ids = _imported_ids(yaml_path)
        session.commit()
    playlists = [details(p) for pid in ids if (p := session.get(Playlist, pid)) is not None]
    return {"created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "notes": report.notes,
            "playlists": playlists}, 201 if report.created else 200


def _imported_ids(yaml_path: Path) -> list[str]:
    try:
        data = load_yaml(yaml_path)
    except YamlError:
        return []
    return [data["id"]] if isinstance(data, dict) and isinstance(data.get("id"), str) else []


def _describe(exc: YamlError, shown: str, workdir: Path, media_dir: Path | None) -> str:
    """The importer's "file, line N: reason" with the uploaded name, no server path."""
    reason = exc.reason
    if media_dir is not None:
        reason = reason.replace(str(media_dir), "the upload's media/ folder")
    reason = reason.replace(str(workdir), "the upload")
    where = f"{shown}, line {exc.line}" if exc.line else shown
    return f"{where}: {reason}"
