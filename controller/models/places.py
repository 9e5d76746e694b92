"""Where screens are: sites and their screens (config/sites.yaml)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # The site's name in the languages beyond Vietnamese and English, {"lo": …, "fr": …}:
    # the slide header of a screen whose profile has that language shows it.
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where the site is, for official warnings' areas (docs/cap.md): WGS 84 degrees,
    # the CAP geocodes it lies in ({"VN-province": ["46"]}), and its CAP policy
    # (None: the defaults of controller.cap.policy).
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    geocodes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cap_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
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
    # The name of its layout in ``layouts`` (docs/zones.md); None: the whole screen.
    layout: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # sha256 hex of the screen's current credential; None = no credential issued.
    credential_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    credential_issued_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
