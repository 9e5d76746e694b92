"""Journal records and batches as a correct player makes them (docs/protocol.md section
5, ``journal``), and a small seeded database to store them in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from controller.db import make_engine, make_session_factory, upgrade
from controller.models import Agency, Playlist, Screen, Site
from controller.plays.batch import record_hash
from controller.plays.declaration import GENESIS


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def seal(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with its hash (recomputed: call again after changing a field)."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return {**body, "hash": record_hash(body)}


def chain(count: int, first_seq: int = 1, prev: str = GENESIS,
          start: datetime | None = None, seconds: float = 10.0,
          **fields: Any) -> list[dict[str, Any]]:
    """``count`` chained ``item`` records of ``seconds`` each, one after the other."""
    moment = start or datetime.now(UTC) - timedelta(hours=2)
    records = []
    for seq in range(first_seq, first_seq + count):
        record = seal({
            "seq": seq, "prev": prev, "kind": "item", "start": iso(moment),
            "end": iso(moment + timedelta(seconds=seconds)), "ended": "duration",
            "source": "headless", "playlist": "welcome-hue", "version": 3,
            "item": "citadel", "languages": ["vi", "en"], "media": [],
            "emergency": None, "timeline_version": 7, **fields})
        records.append(record)
        prev, moment = record["hash"], moment + timedelta(seconds=seconds)
    return records


def batch(records: list[dict[str, Any]], journal: str | None = None) -> dict[str, Any]:
    return {"journal": journal or str(uuid.uuid4()), "records": records}


def seed(url: str) -> Any:
    """A database upgraded to head with two screens at two sites and a playlist of the
    ``tourism`` agency; returns the session factory (its engine is ``.kw['bind']``)."""
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        session.add_all([
            Site(id="phu-bai", name_vi="Phú Bài", name_en="Phu Bai"),
            Site(id="a-dot", name_vi="A Đớt", name_en="A Dot"),
            Agency(id="tourism", name_vi="Sở Du lịch", name_en="Tourism"),
        ])
        session.flush()
        for screen, site in (("phu-bai-arrivals", "phu-bai"), ("a-dot-entry-hall", "a-dot")):
            session.add(Screen(id=screen, site_id=site, name_vi=screen, name_en=screen,
                               orientation="landscape", width=1920, height=1080,
                               languages=["vi", "en"]))
        session.add(Playlist(id="welcome-hue", title_vi="Chào Huế", title_en="Welcome",
                             agency_id="tourism"))
        session.commit()
    return sessions
