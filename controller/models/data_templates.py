"""Data templates (docs/sources.md "Data items"): the templates declared in
``config/data_templates.yaml``, one row each, replaced as a whole by an import. ``spec``
is the template as JSON (``controller.dataslides.templates.DataTemplate.as_json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class DataTemplateRow(Base):
    __tablename__ = "data_templates"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the file
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
