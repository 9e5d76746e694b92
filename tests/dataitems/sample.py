"""Shared data of the data-item tests: the shipped templates, arrivals records, and a
source snapshot written straight into the database with the sources' own storage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from controller.models import DataSource
from controller.sources.records import Snapshot
from controller.sources.snapshots import store_snapshot

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "config" / "data_templates.yaml"
T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 10:00 in Huế

ARRIVALS = [
    {"flight": "VN1541", "from.vi": "Hà Nội", "from.en": "Hanoi", "scheduled": "10:35",
     "status": "Đã hạ cánh"},
    {"flight": "VJ521", "from.vi": "TP. Hồ Chí Minh", "from.en": "Ho Chi Minh City",
     "scheduled": "11:10", "status": "Đúng giờ"},
    {"flight": "QV313", "from.vi": "Viêng Chăn", "from.en": "Vientiane",
     "scheduled": "09:50", "status": "ຊ້າ 20 ນາທີ"},
]


def add_source(session: Session, source_id: str, records: list[dict[str, Any]] | None,
               *, at: datetime = T0, stale_after: int = 600,
               updated: datetime | None = None) -> DataSource:
    """A declared source and, unless ``records`` is None, its snapshot fetched ``at``."""
    source = DataSource(id=source_id, kind="json", url=f"https://fids.pano.example/{source_id}",
                        every_s=60, timeout_s=10.0, max_bytes=65536,
                        stale_after_s=stale_after, names={"vi": source_id, "en": source_id},
                        options={}, position=0, updated_at=at)
    session.add(source)
    session.flush()
    if records is not None:
        store_snapshot(session, source, Snapshot(records, updated), now=at, size=100,
                       etag=None, last_modified=None)
    session.flush()
    return source
