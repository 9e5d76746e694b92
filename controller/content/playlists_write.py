"""Write validated playlist files into the database, in one of two ways:

- **as drafts** (``approve=False``): what an editor's file import does, over the API or
  ``pano-controller playlists import``. New playlists start a draft; changed ones get
  their draft updated or a new draft; nothing goes on air until an approver approves.
- **approved** (``approve=True``): the server operator's bootstrap of declared content
  (``pano-controller import``, ``make run``, ``playlists import --approve``). The new
  version goes on air at once, with an audit entry saying it was approved by import
  without review. Not reachable over the API (docs/review.md says why it exists).

Everything is validated (files, media, agencies, completeness for approved imports)
before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller import changes
from controller.content import ImportReport
from controller.content.playlists_import import (
    ParsedPlaylist,
    check_assigned,
    parse_playlists,
    resolve_data,
)
from controller.content.yamlfile import YamlError
from controller.languages import LanguageConfig
from controller.media.ingest import IngestRefused, ingest
from controller.media.store import MediaStore
from controller.models import APPROVED, Agency, Playlist, PlaylistVersion, utcnow
from controller.refusals import refusal
from controller.review import ReviewError
from controller.review.actor import Actor
from controller.review.audit import record
from controller.review.permissions import check_edit, visible_filter
from controller.review.workflow import (
    archive_unpinned,
    create_playlist,
    next_number,
    save_draft,
    update_details,
    version_of,
)
from controller.timeline import ahead


def _check_agencies(session: Session, parsed: list[ParsedPlaylist]) -> None:
    known = set(session.scalars(select(Agency.id)))
    for playlist in parsed:
        if playlist.agency is not None and playlist.agency not in known:
            reason = refusal("playlist %(playlist)r: unknown agency %(agency)r (known: "
                             "%(known)s; agencies are declared in config/agencies.yaml)",
                             playlist=playlist.id, agency=playlist.agency,
                             known=", ".join(sorted(known)) or refusal("none"))
            raise YamlError(playlist.file, playlist.agency_line, reason)


def import_playlists(session: Session, path: Path, store: MediaStore,
                     media_source_dir: Path, languages: LanguageConfig | None = None, *,
                     approve: bool, actor: Actor | None = None,
                     source: str | None = None, draw_slides: bool = False) -> ImportReport:
    """Validate all of ``path`` (a file or a directory), then store media and write
    playlists into ``session`` (not committed). Raises YamlError (bad file) or
    ReviewError (not allowed, or a version in review), writing nothing, if anything is
    wrong. ``actor``: who imports (default: the system). ``draw_slides`` (with
    ``approve``; ``pano-controller import`` sets it): the new slides of playlists whose
    version on air changes are drawn before anything is written and stored with the
    playlists, so the new versions go on air with them (controller/timeline/ahead.py)."""
    actor = actor or Actor.system()
    parsed = parse_playlists(path, media_source_dir, languages)
    existing = check_import(session, parsed, actor, approve=approve)
    if approve and draw_slides:
        drawn = ahead.pictures(session, _edits_on_air(session, parsed, existing), store)
        ahead.store_pictures(session, store, drawn)
    return store_and_write(session, parsed, path, store, existing, approve=approve,
                            actor=actor, source=source)


def _edits_on_air(session: Session, parsed: list[ParsedPlaylist],
                  existing: dict[str, Playlist]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The playlists whose version on air this import replaces with other items: the
    changes screens are waiting for. A playlist new to this database (a first install,
    whose screens no controller serves yet) is drawn by the first rebuild's job worker."""
    out = []
    for playlist in parsed:
        row = existing.get(playlist.id)
        if row is None or row.current_version is None:
            continue
        if version_of(session, row.id, row.current_version).content_hash \
                != playlist.content_hash:
            out.append((playlist.id, playlist.items))
    return out


def check_import(session: Session, parsed: list[ParsedPlaylist], actor: Actor, *,
                 approve: bool) -> dict[str, Playlist]:
    """Everything an import checks besides the files themselves (agencies, who may
    write which playlist, assignments for approved imports), reading only: YamlError or
    ReviewError. Returns the stored playlists by id. A job (controller/jobs/) calls it
    before it stores any media."""
    _check_agencies(session, parsed)
    existing = {p.id: p for p in session.execute(select(Playlist)).scalars()}
    hidden = {p.id for p in session.execute(
        select(Playlist).where(~visible_filter(actor))).scalars()}
    for playlist in parsed:
        row = existing.get(playlist.id)
        if playlist.id in hidden:
            raise ReviewError(refusal("A playlist %(playlist)r already exists and belongs "
                                      "to another agency; choose another id.",
                                      playlist=playlist.id), 409)
        agency = playlist.agency if playlist.agency is not None else (
            row.agency_id if row is not None else actor.agency_id)
        if row is not None and not approve and agency != row.agency_id:
            raise ReviewError(refusal("Playlist %(playlist)r belongs to agency "
                                      "%(owner)r; a file import cannot give it to "
                                      "%(agency)r.", playlist=playlist.id,
                                      owner=row.agency_id, agency=agency), 409)
        themes = playlist.themes if playlist.themes is not None else (
            row.themes if row else [])
        check_edit(actor, agency, themes or [])
    resolve_data(session, parsed)  # data items: sources, templates (docs/sources.md)
    if approve:
        check_assigned(session, parsed)
    return existing


def store_and_write(session: Session, parsed: list[ParsedPlaylist], path: Path,
                     store: MediaStore, existing: dict[str, Playlist], *, approve: bool,
                     actor: Actor, source: str | None) -> ImportReport:
    """Store the media of checked playlists and write them into ``session`` (not
    committed); ``existing`` is what :func:`check_import` returned."""
    report = ImportReport(source=str(path), what="playlists")
    stored_new = 0
    for playlist in parsed:
        for m in playlist.media:
            if not store.exists(m.sha256):
                stored_new += 1
            try:  # the same intake as uploads: checked, cleaned, deduplicated
                stored = ingest(session, store, m.path, m.name)
            except IngestRefused as exc:
                raise YamlError(playlist.file, None, refusal(
                    "media %(refusal)s", refusal=exc.message)) from None
            if stored.sha256 != m.sha256:
                raise YamlError(playlist.file, None, refusal(
                    "media %(name)r changed while importing; run the import again",
                    name=m.name))
    label = source or str(path)
    touched: list[changes.Scope] = []
    for playlist in parsed:
        write = _write_approved if approve else _write_draft
        outcome = write(session, actor, playlist, existing.get(playlist.id),
                        f"{label}:{playlist.file.name}" if Path(label).is_dir() else label)
        if outcome is None:
            report.unchanged += 1
            continue
        touched.append(changes.Scope("playlist", playlist.id))
        created, note = outcome
        report.created += created
        report.updated += not created
        report.notes.append(f"{playlist.id}: {note}")
    report.notes += [f"{p.id}: {note}" for p in parsed for note in p.notes]
    file_ids = {p.id for p in parsed}
    report.kept += [f"playlist {pid}" for pid in sorted(set(existing) - file_ids)]
    media_count = len({m.sha256 for p in parsed for m in p.media})
    report.notes.append(f"{media_count} media files referenced, {stored_new} newly stored")
    if approve and report.changed:
        changes.bump(session, *touched)  # once per import: the watcher rebuilds once
    session.flush()
    return report


def _write_draft(session: Session, actor: Actor, playlist: ParsedPlaylist,
                 row: Playlist | None, source: str) -> tuple[bool, str] | None:
    if row is None:
        version = create_playlist(
            session, actor, playlist.id, title_vi=playlist.title_vi,
            title_en=playlist.title_en, items=playlist.items,
            agency_id=playlist.agency if playlist.agency is not None else actor.agency_id,
            themes=playlist.themes or [], source=source)
        return True, f"created, draft version {version.number} (not on air until approved)"
    details = update_details(session, actor, row, title_vi=playlist.title_vi,
                             title_en=playlist.title_en,
                             themes=playlist.themes if playlist.themes is not None
                             else list(row.themes or []))
    version = save_draft(session, actor, row, playlist.items, source)
    if version is None:
        return (False, "titles or themes updated") if details else None
    return False, f"draft version {version.number} (not on air until approved)"


def _write_approved(session: Session, actor: Actor, playlist: ParsedPlaylist,
                    row: Playlist | None, source: str) -> tuple[bool, str] | None:
    created = row is None
    if row is None:
        row = Playlist(id=playlist.id, title_vi=playlist.title_vi, title_en=playlist.title_en,
                       current_version=None, agency_id=playlist.agency,
                       themes=list(playlist.themes or []), updated_at=utcnow())
        session.add(row)
        session.flush()
    before = {"title": {"vi": row.title_vi, "en": row.title_en}, "agency": row.agency_id,
              "themes": list(row.themes or []), "on_air": row.current_version}
    details = {"title_vi": playlist.title_vi, "title_en": playlist.title_en,
               "agency_id": playlist.agency if playlist.agency is not None else row.agency_id,
               "themes": list(playlist.themes) if playlist.themes is not None
               else list(row.themes or [])}
    details_changed = any(getattr(row, k) != v for k, v in details.items())
    for key, value in details.items():
        setattr(row, key, value)
    on_air = (version_of(session, row.id, row.current_version)
              if row.current_version is not None else None)
    if on_air is not None and on_air.content_hash == playlist.content_hash:
        if not details_changed:
            return None
        row.updated_at = utcnow()
        record(session, actor, "playlist.update", "playlist", row.id, before=before,
               after={**details, "on_air": row.current_version}, agency_id=row.agency_id)
        return False, "titles, agency or themes updated"
    now = utcnow()
    number = next_number(session, row.id)
    session.add(PlaylistVersion(
        playlist_id=row.id, number=number, items=playlist.items,
        content_hash=playlist.content_hash, state=APPROVED, created_by=actor.user_id,
        edited_by=actor.user_id, created_at=now, edited_at=now, reviewed_at=now,
        source=source[:255]))
    session.flush()
    previous = row.current_version
    row.current_version = number
    row.updated_at = now
    archived = archive_unpinned(session, row.id, previous)
    record(session, actor, "playlist.import_approved", "playlist_version",
           f"{row.id}@{number}", before=before,
           after={**details, "on_air": number, "archived": archived},
           note=f"approved by import from {source} without review", agency_id=row.agency_id)
    return created, f"created, version {number}" if created else f"new version {number}"
