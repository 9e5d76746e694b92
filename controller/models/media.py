"""Media files and what is made from them: aliases, renditions, rendered slides, QR codes
and their scans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


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
    # The file this one was made from and stands for in exports: an animated GIF's
    # original (origin "source") for the looping video made of it. None for most files.
    source_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

class MediaAlias(Base):
    """An uploaded file's own SHA-256 -> the media stored for it (metadata stripped,
    orientation applied), so the same upload is recognised without reprocessing."""

    __tablename__ = "media_aliases"

    upload_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

class MediaUpload(Base):
    """One name a stored file was uploaded under, for the library list: the same bytes
    sent as 'poster.jpg' and later as 'festival.jpg' are one file and two entries."""

    __tablename__ = "media_uploads"
    __table_args__ = (UniqueConstraint("media_sha256", "original_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    media_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

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
    # SHA-256 of target_url (of target_url and the choices for a language choice).
    target_hash: Mapped[str] = mapped_column(String(64))
    # A dual screen's code (lang "*"): the languages a traveller chooses from, in the
    # screen's order, each with its page, [[lang, url], …]; None for a plain link.
    choices: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
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
