"""The playlist versions a rebuild needs, loaded in one query.

Keys of the returned mapping: a playlist id for its current version (what a screen's
default playlist names) and ``id@N`` for version N (what schedules name; current
versions get this key too). Every value is a ``PlaylistOnAir``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from controller.models import APPROVED, Playlist, PlaylistVersion
from controller.timeline.builder import PlaylistOnAir
from controller.timeline.schedules import LoadedSchedule


def load_playlists(session: Session, defaults: Iterable[str],
                   schedules: Iterable[LoadedSchedule]) -> dict[str, PlaylistOnAir]:
    """The current version of each playlist in ``defaults`` and the version each
    schedule plays."""
    defaults = set(defaults)
    wanted = {(s.playlist_id, s.version) for s in schedules if s.version is not None}
    ids = defaults | {pid for pid, _ in wanted}
    if not ids:
        return {}
    current = {p.id: p for p in session.scalars(select(Playlist).where(Playlist.id.in_(ids)))}
    wanted |= {(pid, p.current_version) for pid, p in current.items()
               if pid in defaults and p.current_version is not None}
    if not wanted:
        return {}
    out: dict[str, PlaylistOnAir] = {}
    # Only approved versions go on air: a schedule pinned to a version that is not
    # approved (any more) finds nothing here and is skipped by ``usable``.
    for version in session.scalars(select(PlaylistVersion).where(
            tuple_(PlaylistVersion.playlist_id, PlaylistVersion.number).in_(sorted(wanted)),
            PlaylistVersion.state == APPROVED)):
        playlist = current.get(version.playlist_id)
        if playlist is None:
            continue
        on_air = PlaylistOnAir(id=playlist.id, version=version.number,
                               title={"vi": playlist.title_vi, "en": playlist.title_en},
                               items=list(version.items or []))
        out[on_air.key] = on_air
        if version.number == playlist.current_version:
            out[playlist.id] = on_air
    return out
