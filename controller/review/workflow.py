"""Playlist versions through review: draft → in review → approved → archived.

- One working version per playlist at a time: a draft (editable) or a version in
  review (frozen). Editing an approved playlist starts a new draft; what is on air
  (``Playlist.current_version``) stays the approved version until another is approved.
- Submitting and approving check completeness: every item has the required languages
  and every language of every screen the playlist would reach; and that every text item
  fits the slides of those screens (controller/review/fit.py).
- The approver must not be the version's last editor. A rejection needs a reason and
  returns the version to draft with the reason shown to the editor.
- Approving archives the previously approved version unless a schedule pins it.
Every change writes an audit entry in the same transaction; nothing commits here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller import changes
from controller.content.assignments import (
    load_placements,
    load_screens,
    per_screen,
    screens_showing,
)
from controller.content.completeness import describe_missing, missing_languages
from controller.content.completeness import refusal_for_screens as missing_refusal
from controller.content.playlists_import import items_hash
from controller.content.text_rule import text_refusal
from controller.languages import LanguageConfig
from controller.models import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    Playlist,
    PlaylistVersion,
    Schedule,
    Screen,
    utcnow,
)
from controller.refusals import Refusal, joined, refusal
from controller.review import ReviewError
from controller.review.actor import Actor
from controller.review.audit import record
from controller.review.fit import misfits
from controller.review.permissions import check_edit, check_review
from controller.zones.completeness import ticker_refusal

MAX_REASON = 2000
STATE_NAMES = {DRAFT: refusal("a draft"), IN_REVIEW: refusal("in review"),
               APPROVED: refusal("approved"), ARCHIVED: refusal("archived")}
DOING = {"submit": refusal("submit"), "withdraw": refusal("withdraw"),
         "approve": refusal("approve"), "reject": refusal("reject"),
         "archive": refusal("archive")}


def subject(playlist_id: str, number: int | None = None) -> Refusal:
    """"playlist 'welcome-hue@2'", the subject of completeness refusals."""
    if number is None:
        return refusal("playlist %(playlist)r", playlist=playlist_id)
    return refusal("playlist '%(playlist)s@%(number)d'", playlist=playlist_id, number=number)


def version_of(session: Session, playlist_id: str, number: int) -> PlaylistVersion:
    version = session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id, PlaylistVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise ReviewError(refusal("Playlist %(playlist)r has no version %(number)d.",
                                  playlist=playlist_id, number=number), 404)
    return version


def working_version(session: Session, playlist_id: str) -> PlaylistVersion | None:
    """The draft or in-review version, if there is one."""
    return session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id,
        PlaylistVersion.state.in_((DRAFT, IN_REVIEW)))
        .order_by(PlaylistVersion.number.desc())).scalars().first()


def _summary(version: PlaylistVersion) -> dict[str, Any]:
    return {"version": version.number, "state": version.state,
            "content_hash": version.content_hash, "items": len(version.items or [])}


def next_number(session: Session, playlist_id: str) -> int:
    newest = session.scalar(select(func.max(PlaylistVersion.number)).where(
        PlaylistVersion.playlist_id == playlist_id))
    return int(newest or 0) + 1


def _expect(version: PlaylistVersion, *states: str, doing: str) -> None:
    if version.state not in states:
        wanted = STATE_NAMES[states[0]] if len(states) == 1 else refusal(
            "%(first)s or %(second)s", first=STATE_NAMES[states[0]],
            second=STATE_NAMES[states[1]])
        raise ReviewError(refusal("Cannot %(doing)s version %(number)d of %(playlist)r: it "
                                  "is %(state)s, not %(wanted)s.", doing=DOING[doing],
                                  number=version.number, playlist=version.playlist_id,
                                  state=STATE_NAMES[version.state], wanted=wanted), 409)


def check_complete(session: Session, playlist_id: str, items: list[dict[str, Any]],
                   languages: LanguageConfig | None, subject: str) -> None:
    """ReviewError(422) naming every item and missing language if ``items`` lack a
    required language or one of a screen the playlist reaches (as a default playlist,
    or through a schedule that plays whatever version is approved, or in the ticker of
    the screen's layout: its text and data items)."""
    config = languages or LanguageConfig()
    missing = missing_languages(items, config.required)
    if missing:
        raise ReviewError(refusal("%(subject)s lacks required languages: %(missing)s. Add "
                                  "the missing variants first.", subject=subject,
                                  missing=describe_missing(missing)), 422)
    shown = screens_showing(playlist_id, load_screens(session), load_placements(session))
    message = missing_refusal(subject, per_screen(items, shown.values()))
    if message:
        raise ReviewError(message, 422)
    in_ticker = ticker_refusal(session, playlist_id, items, subject)  # docs/zones.md
    if in_ticker:
        raise ReviewError(in_ticker[0], 422)
    too_long = misfits(session, shown, items)
    if too_long:
        raise ReviewError(refusal("%(subject)s has text that does not fit its screens: "
                                  "%(misfits)s.", subject=subject,
                                  misfits=joined("; ", too_long)), 422)


def create_playlist(session: Session, actor: Actor, playlist_id: str, *, title_vi: str,
                    title_en: str, items: list[dict[str, Any]], agency_id: str | None,
                    themes: Sequence[str] = (), source: str = "api") -> PlaylistVersion:
    """A new playlist with its first version, a draft."""
    check_edit(actor, agency_id, themes)
    if session.get(Playlist, playlist_id) is not None:
        raise ReviewError(refusal("A playlist %(playlist)r already exists.",
                                  playlist=playlist_id), 409)
    playlist = Playlist(id=playlist_id, title_vi=title_vi, title_en=title_en,
                        current_version=None, agency_id=agency_id, themes=list(themes),
                        updated_at=utcnow())
    session.add(playlist)
    session.flush()
    version = _new_draft(session, actor, playlist, 1, items, source)
    record(session, actor, "playlist.create", "playlist", playlist_id,
           after={"title": {"vi": title_vi, "en": title_en}, "agency": agency_id,
                  "themes": list(themes), **_summary(version)}, agency_id=agency_id)
    return version


def _new_draft(session: Session, actor: Actor, playlist: Playlist, number: int,
               items: list[dict[str, Any]], source: str) -> PlaylistVersion:
    now = utcnow()
    version = PlaylistVersion(playlist_id=playlist.id, number=number, items=items,
                              content_hash=items_hash(items), state=DRAFT,
                              created_by=actor.user_id, edited_by=actor.user_id,
                              created_at=now, edited_at=now, source=source[:255])
    session.add(version)
    session.flush()
    return version


def update_details(session: Session, actor: Actor, playlist: Playlist, *,
                   title_vi: str | None = None, title_en: str | None = None,
                   themes: Sequence[str] | None = None) -> bool:
    """Change a playlist's titles or themes (not reviewed; the titles are in the
    timelines, so a change is bumped). Returns whether anything changed."""
    new_themes = list(themes) if themes is not None else list(playlist.themes or [])
    check_edit(actor, playlist.agency_id, new_themes)
    before = {"title": {"vi": playlist.title_vi, "en": playlist.title_en},
              "themes": list(playlist.themes or [])}
    playlist.title_vi = title_vi if title_vi is not None else playlist.title_vi
    playlist.title_en = title_en if title_en is not None else playlist.title_en
    playlist.themes = new_themes
    after = {"title": {"vi": playlist.title_vi, "en": playlist.title_en},
             "themes": new_themes}
    if after == before:
        return False
    playlist.updated_at = utcnow()
    # Timelines carry the playlist's titles: its screens are rebuilt (no review needed).
    changes.bump(session, changes.Scope("playlist", playlist.id))
    record(session, actor, "playlist.update", "playlist", playlist.id, before=before,
           after=after, agency_id=playlist.agency_id)
    return True


def save_draft(session: Session, actor: Actor, playlist: Playlist,
               items: list[dict[str, Any]], source: str = "api") -> PlaylistVersion | None:
    """Store ``items`` as the playlist's draft: the existing draft is updated, or a new
    draft version starts. None when the items equal the working or on-air version's
    (nothing to do). ReviewError(409) while a version is in review."""
    check_edit(actor, playlist.agency_id, playlist.themes or [])
    content_hash = items_hash(items)
    working = working_version(session, playlist.id)
    if working is not None and working.state == IN_REVIEW:
        raise ReviewError(refusal("Version %(number)d of %(playlist)r is in review; "
                                  "withdraw it or wait for the decision before editing.",
                                  number=working.number, playlist=playlist.id), 409)
    if working is None:
        if playlist.current_version is not None:
            on_air = version_of(session, playlist.id, playlist.current_version)
            if on_air.content_hash == content_hash:
                return None
        version = _new_draft(session, actor, playlist, next_number(session, playlist.id),
                             items, source)
        record(session, actor, "playlist.draft", "playlist_version",
               f"{playlist.id}@{version.number}", after=_summary(version),
               agency_id=playlist.agency_id)
        playlist.updated_at = utcnow()
        return version
    if working.content_hash == content_hash:
        return None
    before = _summary(working)
    working.items = items
    working.content_hash = content_hash
    working.edited_by = actor.user_id
    working.edited_at = utcnow()
    working.source = source[:255]
    playlist.updated_at = utcnow()
    record(session, actor, "playlist.edit", "playlist_version",
           f"{playlist.id}@{working.number}", before=before, after=_summary(working),
           agency_id=playlist.agency_id)
    return working


def submit(session: Session, actor: Actor, playlist: Playlist, number: int,
           languages: LanguageConfig | None = None) -> PlaylistVersion:
    check_edit(actor, playlist.agency_id, playlist.themes or [])
    version = version_of(session, playlist.id, number)
    _expect(version, DRAFT, doing="submit")
    check_complete(session, playlist.id, version.items,
                   languages, subject(playlist.id, number))
    before = _summary(version)
    version.state = IN_REVIEW
    version.submitted_by = actor.user_id
    version.submitted_at = utcnow()
    version.rejection_reason = None
    record(session, actor, "playlist.submit", "playlist_version", f"{playlist.id}@{number}",
           before=before, after=_summary(version), agency_id=playlist.agency_id)
    return version


def withdraw(session: Session, actor: Actor, playlist: Playlist,
             number: int) -> PlaylistVersion:
    """Take a version back from review to draft (to edit it again)."""
    check_edit(actor, playlist.agency_id, playlist.themes or [])
    version = version_of(session, playlist.id, number)
    _expect(version, IN_REVIEW, doing="withdraw")
    before = _summary(version)
    version.state = DRAFT
    record(session, actor, "playlist.withdraw", "playlist_version",
           f"{playlist.id}@{number}", before=before, after=_summary(version),
           agency_id=playlist.agency_id)
    return version


def approve(session: Session, actor: Actor, playlist: Playlist, number: int,
            languages: LanguageConfig | None = None) -> PlaylistVersion:
    """Put ``number`` on air. The approver must not be its last editor."""
    check_review(actor, playlist)
    version = version_of(session, playlist.id, number)
    _expect(version, IN_REVIEW, doing="approve")
    if version.edited_by is not None and version.edited_by == actor.user_id:
        raise ReviewError(refusal("%(person)s edited version %(number)d of %(playlist)r "
                                  "last and so may not approve it: another approver must.",
                                  person=actor.name, number=number, playlist=playlist.id),
                          403)
    check_complete(session, playlist.id, version.items, languages,
                   subject(playlist.id, number))
    before = _summary(version)
    previous = playlist.current_version
    version.state = APPROVED
    version.reviewed_by = actor.user_id
    version.reviewed_at = utcnow()
    version.rejection_reason = None
    playlist.current_version = number
    playlist.updated_at = utcnow()
    archived = archive_unpinned(session, playlist.id, previous)
    changes.bump(session, changes.Scope("playlist", playlist.id))
    record(session, actor, "playlist.approve", "playlist_version", f"{playlist.id}@{number}",
           before={**before, "on_air": previous},
           after={**_summary(version), "on_air": number, "archived": archived},
           agency_id=playlist.agency_id)
    return version


def archive_unpinned(session: Session, playlist_id: str, number: int | None) -> int | None:
    if number is None:
        return None
    pinned = session.scalar(select(Schedule.slug).where(
        Schedule.playlist_id == playlist_id, Schedule.playlist_version == number))
    if pinned is not None:
        return None
    old = version_of(session, playlist_id, number)
    old.state = ARCHIVED
    return number


def reject(session: Session, actor: Actor, playlist: Playlist, number: int,
           reason: str) -> PlaylistVersion:
    check_review(actor, playlist)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ReviewError(refusal("A rejection needs a reason the editor can act on."), 422)
    if len(reason) > MAX_REASON:
        raise ReviewError(refusal("The reason is too long (at most %(most)d characters).",
                                  most=MAX_REASON), 422)
    why = text_refusal(reason, multiline=True)
    if why is not None:
        raise ReviewError(refusal("The reason %(why)s.", why=why), 422)
    version = version_of(session, playlist.id, number)
    _expect(version, IN_REVIEW, doing="reject")
    before = _summary(version)
    version.state = DRAFT
    version.reviewed_by = actor.user_id
    version.reviewed_at = utcnow()
    version.rejection_reason = reason
    record(session, actor, "playlist.reject", "playlist_version", f"{playlist.id}@{number}",
           before=before, after=_summary(version), note=reason, agency_id=playlist.agency_id)
    return version


def archive(session: Session, actor: Actor, playlist: Playlist,
            number: int) -> PlaylistVersion:
    """Discard a draft (its editors) or take an approved version off air (approvers).
    The on-air version cannot be archived while a screen or schedule plays it."""
    version = version_of(session, playlist.id, number)
    _expect(version, DRAFT, APPROVED, doing="archive")
    if version.state == DRAFT:
        check_edit(actor, playlist.agency_id, playlist.themes or [])
    else:
        check_review(actor, playlist)
        _check_unused(session, playlist, number)
    before = _summary(version)
    version.state = ARCHIVED
    if playlist.current_version == number:
        playlist.current_version = None
        changes.bump(session, changes.Scope("playlist", playlist.id))
    playlist.updated_at = utcnow()
    record(session, actor, "playlist.archive", "playlist_version", f"{playlist.id}@{number}",
           before=before, after=_summary(version), agency_id=playlist.agency_id)
    return version


def _check_unused(session: Session, playlist: Playlist, number: int) -> None:
    users: list[Refusal] = []
    if playlist.current_version == number:
        users += [refusal("screen %(screen)s", screen=s) for s in session.scalars(
            select(Screen.id).where(Screen.default_playlist_id == playlist.id))]
        users += [refusal("schedule %(schedule)s", schedule=s) for s in session.scalars(
            select(Schedule.slug).where(Schedule.playlist_id == playlist.id,
                                        Schedule.playlist_version.is_(None)))]
    users += [refusal("schedule %(schedule)s", schedule=s) for s in session.scalars(
        select(Schedule.slug).where(Schedule.playlist_id == playlist.id,
                                    Schedule.playlist_version == number))]
    if users:
        raise ReviewError(refusal("Version %(number)d of %(playlist)r is on air on "
                                  "%(users)s; give them another playlist first.",
                                  number=number, playlist=playlist.id,
                                  users=joined(", ", users)), 409)
