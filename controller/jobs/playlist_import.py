"""The job behind ``POST /api/v1/playlists/import``: unpack the upload, check every
playlist and media file, store the media, write the drafts (never approved), with the
caller as the actor and the audit entries the synchronous import wrote.

Steps, and the SQLite rule (``controller/jobs/__init__.py``):

1. unpack (``unpack_upload``): files only; a refusal is a 400;
2. check (``parse_playlists`` + ``check_import``): decodes every image and probes every
   video, reading the database only; a refusal is a 422 (or the review's 403/409)
   naming the uploaded file and line, and nothing is stored;
3. store the media one file per transaction (decoded and hashed before its short
   write), so the controller never waits long for the write lock;
4. write the drafts in one short transaction: a draft is written whole or not at all.

A job killed between 3 and 4 leaves stored media files (as uploads to the library
would be) and no draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from controller.content.playlist_bundle import BundleMedia, BundleRefused, unpack_upload
from controller.content.playlists_import import MediaFile, ParsedPlaylist, parse_playlists
from controller.content.playlists_write import check_import, store_and_write
from controller.content.yamlfile import Fields, YamlError, load_yaml
from controller.jobs.context import UPLOAD, JobContext
from controller.jobs.records import JobRefused, Progress
from controller.media.ingest import IngestRefused, ingest
from controller.models import Job, User
from controller.refusals import Refusal, joined, refusal
from controller.review import ReviewError
from controller.review.actor import Actor

UNPACKED = "unpacked"  # what unpack_upload made of it


class _CountingMedia:
    """The bundle's media checker, counting the files it has checked for the progress
    bar; one checked file is cached (``DirectoryMedia``), so a name used twice is
    decoded once."""

    def __init__(self, checker: BundleMedia, progress: Progress, total: int) -> None:
        self.checker = checker
        self.progress = progress
        self.total = total
        self.seen: set[str] = set()

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile:
        if isinstance(value, str) and value not in self.seen:
            self.seen.add(value)
            self.progress(min(len(self.seen), self.total), self.total,
                          f"Checking media {min(len(self.seen), self.total)}/{self.total}: "
                          f"{value[:80]}")
        return self.checker.check(f, key, value, item_type)


def run_playlist_import(ctx: JobContext, job: Job, folder: Path,
                        progress: Progress) -> tuple[int, dict[str, Any]]:
    name = str(job.params.get("name") or "upload")
    workdir = folder / UNPACKED
    workdir.mkdir(parents=True, exist_ok=True)
    progress(0, 0, f"Unpacking {name}", force=True)
    skipped: list[str] = []  # notes on files the playlist does not name
    try:
        with (folder / UPLOAD).open("rb") as stream:
            yaml_path, media_dir = unpack_upload(
                name, stream, workdir, max_entry=ctx.settings.max_upload_mb * 1024 * 1024,
                notes=skipped)
    except BundleRefused as exc:
        raise JobRefused(400, str(exc)) from None
    shown = name if media_dir is None else f"{name}/{yaml_path.name}"

    def refused(exc: YamlError) -> JobRefused:
        return JobRefused(422, describe(exc, shown, workdir, media_dir))

    total = sum(1 for p in media_dir.iterdir() if p.is_file()) if media_dir else 0
    languages = ctx.settings.language_config
    with ctx.sessions() as session:
        actor = _actor(session, job)
        checker = _CountingMedia(BundleMedia(media_dir, session, ctx.store, ctx.settings),
                                 progress, total)
        try:
            parsed = parse_playlists(yaml_path, checker, languages)  # type: ignore[arg-type]
            check_import(session, parsed, actor, approve=False)
        except YamlError as exc:
            raise refused(exc) from None
        except ReviewError as exc:
            raise JobRefused(exc.status, exc.message) from None
    files = _media_files(parsed)
    for number, (playlist, media) in enumerate(files, start=1):
        progress(number - 1, len(files), f"Storing media {number}/{len(files)}: "
                 f"{media.name[:80]}")
        with ctx.sessions() as session:  # one file, one short transaction
            try:
                ingest(session, ctx.store, media.path, media.name)
            except IngestRefused as exc:
                session.rollback()
                raise refused(YamlError(playlist.file, None, refusal(
                    "media %(refusal)s", refusal=exc.message))) from None
            session.commit()
    progress(len(files), len(files), "Writing drafts", force=True)
    with ctx.sessions() as session:
        actor = _actor(session, job)
        try:
            existing = check_import(session, parsed, actor, approve=False)
            report = store_and_write(session, parsed, yaml_path, ctx.store, existing,
                                     approve=False, actor=actor, source=f"upload:{name}")
        except YamlError as exc:
            session.rollback()
            raise refused(exc) from None
        except ReviewError as exc:
            session.rollback()
            raise JobRefused(exc.status, exc.message) from None
        session.commit()
    return (201 if report.created else 200), {
        "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged, "notes": report.notes + skipped,
        "playlist_ids": imported_ids(yaml_path)}


def _actor(session: Session, job: Job) -> Actor:
    user = session.get(User, job.created_by) if job.created_by is not None else None
    if user is None:
        raise JobRefused(403, refusal("The account that started this import no longer "
                                      "exists."))
    return Actor.of(session, user)


def _media_files(parsed: list[ParsedPlaylist]) -> list[tuple[ParsedPlaylist, MediaFile]]:
    seen: set[Path] = set()
    out = []
    for playlist in parsed:
        for media in playlist.media:
            if media.path not in seen:
                seen.add(media.path)
                out.append((playlist, media))
    return out


def imported_ids(yaml_path: Path) -> list[str]:
    try:
        data = load_yaml(yaml_path)
    except YamlError:
        return []
    return [data["id"]] if isinstance(data, dict) and isinstance(data.get("id"), str) else []


def describe(exc: YamlError, shown: str, workdir: Path, media_dir: Path | None) -> str:
    """The importer's "file, line N: reason" with the uploaded name, no server path
    (a refusal: the paths are replaced inside its parameters)."""
    paths = [(str(workdir), refusal("the upload"))]
    if media_dir is not None:  # inside workdir: replaced first
        paths.insert(0, (str(media_dir), refusal("the upload's media/ folder")))
    reason = _without_paths(exc.reason, paths)
    if exc.line:
        return refusal("%(file)s, line %(line)d: %(reason)s", file=shown, line=exc.line,
                       reason=reason)
    return refusal("%(file)s: %(reason)s", file=shown, reason=reason)


def _without_paths(value: Any, paths: list[tuple[str, Refusal]]) -> Any:
    """``value`` with each server path in it (in a refusal: in its parameters) replaced
    by the words for it."""
    if isinstance(value, Refusal):
        return Refusal(value.template, {k: _without_paths(v, paths)
                                        for k, v in value.params.items()}, value.verbatim)
    if not isinstance(value, str):
        return value
    for path, words in paths:
        if path in value:
            pieces = value.split(path)
            parts: list[Any] = [_without_paths(pieces[0], paths)]
            for piece in pieces[1:]:
                parts += [words, _without_paths(piece, paths)]
            return joined("", parts)
    return value
