"""Screen layouts (docs/zones.md): the layouts declared in ``config/layouts.yaml``, one
row each, replaced as a whole by an import. ``spec`` is the layout as JSON
(``controller.zones.declarations.Layout.as_json``); a screen names one in
``screens.layout`` (None: the whole screen is the main area)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class LayoutRow(Base):
    __tablename__ = "layouts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the file
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
