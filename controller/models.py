"""The controller's tables (SQLAlchemy 2 declarative). Alembic migrations in
``controller/migrations`` create them; never call ``create_all`` outside tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from controller.db_types import UtcDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


# Deterministic constraint names: the same on SQLite and PostgreSQL, so migrations can
# name what they alter or drop (and SQLite batch mode can rebuild tables).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Screen(Base):
    __tablename__ = "screens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    orientation: Mapped[str] = mapped_column(String(16))  # landscape | portrait
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Language profile: ordered, primary first, e.g. ["vi", "lo", "en"].
    languages: Mapped[list[Any]] = mapped_column(JSON)
    bilingual_mode: Mapped[str] = mapped_column(String(16), default="dual")  # dual|alternate
    # In alternate mode: "split" an item's duration between languages, or "repeat" it
    # in full for each language.
    alternate_timing: Mapped[str] = mapped_column(String(16), default="split")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    default_playlist_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # sha256 hex of the screen's current credential; None = no credential issued.
    credential_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    credential_issued_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Media(Base):
    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes; videos may exceed 2 GiB
    mime: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # image | video
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Pixel size (images, videos) and duration in seconds (videos), when known.
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    # "upload" (an operator's file), "rendition" (derived from another media file) or
    # "slide" (rendered by the controller); derived files may be deleted and remade.
    origin: Mapped[str] = mapped_column(String(16), default="upload")


class MediaAlias(Base):
    """An uploaded file's own SHA-256 -> the media stored for it (metadata stripped,
    orientation applied), so the same upload is recognised without reprocessing."""

    __tablename__ = "media_aliases"

    upload_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Rendition(Base):
    """A media file prepared for one target (``1920x1080``, ``1080x1920``, ``thumb`` …),
    stored in the media store as its own file. Made once per content and target."""

    __tablename__ = "renditions"

    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), primary_key=True)
    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    rendition_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RenderedSlide(Base):
    """A slide the controller rendered (text item, emergency), cached by the SHA-256 of
    everything that went into it (texts, layout, size, fonts, renderer version)."""

    __tablename__ = "rendered_slides"

    input_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class QrCode(Base):
    """A short link ``/q/<code>`` printed as a QR code on a slide: which item, language
    and screen it belongs to, and the official page it leads to. Never changed: a new
    target gets a new code, so a printed code keeps meaning what it meant."""

    __tablename__ = "qr_codes"
    __table_args__ = (UniqueConstraint("playlist_id", "item_id", "lang", "screen_id",
                                       "target_hash"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    playlist_id: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    # None: an emergency's or a preview's code, not tied to one screen.
    screen_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    target_url: Mapped[str] = mapped_column(String(2000))
    target_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of target_url
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class QrScan(Base):
    """One scan of a QR code (a GET of ``/q/<code>``). No personal data: no address, no
    user agent, no cookie."""

    __tablename__ = "qr_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("qr_codes.code"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    playlist_id: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    screen_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    site_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class Agency(Base):
    """A contributing agency (config/agencies.yaml). Exactly one is the lead agency,
    whose approvers review every agency's playlists (docs/review.md)."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Playlist(Base):
    __tablename__ = "playlists"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # The approved version on air; None until a version is approved.
    current_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), nullable=True,
                                                  index=True)
    themes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# Review states of a playlist version (docs/review.md).
DRAFT, IN_REVIEW, APPROVED, ARCHIVED = "draft", "in_review", "approved", "archived"
VERSION_STATES = (DRAFT, IN_REVIEW, APPROVED, ARCHIVED)


class PlaylistVersion(Base):
    """A snapshot of a playlist's items. A draft may be edited; from ``in_review`` on,
    ``items`` never change, and only an approved version can be on air."""

    __tablename__ = "playlist_versions"
    __table_args__ = (UniqueConstraint("playlist_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    playlist_id: Mapped[str] = mapped_column(ForeignKey("playlists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # List of item dicts in the timeline's item format (see docs/protocol.md).
    items: Mapped[list[Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    # Who created the version and who changed its items last (None: the system/CLI).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    edited_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                          nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                         nullable=True)
    # The last rejection's reason, shown to the editor until the next submission.
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(255), default="")  # file name, "api", …


class Schedule(Base):
    """A playlist on some screens at set days and hours (docs/scheduling.md). Read into
    ``controller.scheduling.Schedule`` for evaluation; ``slug`` is the operator's id
    (``config/schedules.yaml``), ``id`` the number the engine and its reasons use."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    playlist_id: Mapped[str] = mapped_column(ForeignKey("playlists.id"), index=True)
    # None: whatever version of the playlist is current.
    playlist_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {"sites": [...], "screens": [...], "tags": [...]}
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_day: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive
    weekdays: Mapped[list[Any]] = mapped_column(JSON)  # 0 = Monday … 6 = Sunday
    windows: Mapped[list[Any]] = mapped_column(JSON)  # [["HH:MM", "HH:MM"], …]; [] = all day
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_seq: Mapped[int] = mapped_column(Integer)  # larger = more recent
    source: Mapped[str] = mapped_column(String(255), default="")  # file name or "api"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # one of controller.auth.users.ROLES
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    # An editor limited to some sites / themes ([] = no limit).
    scope_sites: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scope_themes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiToken(Base):
    """A personal API token. Only the sha256 of the token is stored: tokens are 256-bit
    random secrets, so a fast hash is as safe as a slow one and allows an indexed lookup."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Emergency(Base):
    """An urgent message that preempts everything on its target screens from
    ``starts_at`` to ``ends_at`` (or until cancelled). Never deleted: the audit log
    (a later issue) reads ``created_by``."""

    __tablename__ = "emergencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # {lang: {"title": …, "body": …}}; at least "vi" and "en".
    messages: Mapped[dict[str, Any]] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"sites": [...], "screens": [...]}
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                          nullable=True)


class EmergencyReceipt(Base):
    """A player's report that it displayed an emergency; the first report is kept."""

    __tablename__ = "emergency_receipts"

    emergency_id: Mapped[int] = mapped_column(ForeignKey("emergencies.id"), primary_key=True)
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ScreenTimeline(Base):
    """The last timeline built for a screen. ``version`` grows by one whenever the
    timeline's content hash changes, so a push happens only when something changed."""

    __tablename__ = "screen_timelines"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ScreenMedia(Base):
    """A file a screen's timelines name: the screen may fetch it with its credential
    while ``dropped_at`` is NULL (the current timeline names it) or recent
    (``controller.timeline.media_access``)."""

    __tablename__ = "screen_media"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dropped_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ScreenMediaDigest(Base):
    """The SHA-256 of the sorted file names a screen's current timeline names: a rebuild
    that leaves them as they were (the daily roll of the window) skips its rows."""

    __tablename__ = "screen_media_digests"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))


class ScreenStatus(Base):
    """Latest facts a player reported (one row per screen, overwritten)."""

    __tablename__ = "screen_status"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acked_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    missing_media: Mapped[list[Any]] = mapped_column(JSON, default=list)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    """One line of the append-only audit log (docs/review.md). Database triggers refuse
    UPDATE and DELETE on this table, on SQLite and PostgreSQL alike."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                 index=True)
    actor: Mapped[str] = mapped_column(String(100))  # username, or "system" / "cli:…"
    # The agency the entry concerns (the object's owner, else the actor's agency).
    agency_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. playlist.approve
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ChangeCounter(Base):
    """One row. Every write that may change a timeline bumps ``value`` in the same
    transaction; the scheduler process watches it and rebuilds timelines. This works
    across processes (CLI imports, several web workers) with no message bus."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ScreenCommand(Base):
    """A remote command sent to a player (docs/protocol.md, ``command``): ``sent`` until
    the player answers (``command_result`` or, for a screenshot, the upload), then
    ``done`` or ``failed``, never changed again. ``result`` holds the player's extra
    fields (counts, the screenshot's size and file)."""

    __tablename__ = "screen_commands"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent|done|failed
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(100))  # username
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                         nullable=True)


class Job(Base):
    """CPU-heavy work done by the job worker for a person (controller/jobs/): an import
    or an upload's checks. ``status`` goes queued → running → done or failed, never back;
    ``progress_*`` say how far it is; ``result`` is the body the synchronous API would
    have answered (with ``result_status``), ``error_status``/``error_message`` its
    refusal, in the same sentences. ``worker`` names the process running it
    (host:pid), ``heartbeat_at`` when it last said it was alive."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                   index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
