"""The CAP fixture files of tests/cap/data, with their times filled in relative to now
(alerts must not have expired when a test runs), and a database seeded with the demo
sites for reading them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from web.helpers import make_settings

from controller.cap.feed import ingest_feed
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.models import EmergencyDraft
from controller.zones.declarations import import_layouts

DATA = Path(__file__).with_name("data")
REPO = Path(__file__).resolve().parents[2]
SOURCE = "nchmf-cap"


def stamp(moment: datetime) -> str:
    """A CAP time, in Huế's offset as the agencies write it."""
    return moment.astimezone(UTC).replace(microsecond=0).astimezone(
        timezone(timedelta(hours=7))).isoformat()


def times(now: datetime) -> dict[str, str]:
    return {"@SENT@": stamp(now - timedelta(minutes=30)),
            "@UPDATED@": stamp(now - timedelta(minutes=10)),
            "@CANCELLED@": stamp(now - timedelta(minutes=5)),
            "@EXPIRES@": stamp(now + timedelta(hours=20)),
            "@OLD@": stamp(now - timedelta(days=2)),
            "@EXPIRED@": stamp(now - timedelta(days=1))}


def feed(name: str, now: datetime) -> bytes:
    text = (DATA / name).read_text("utf-8")
    for token, value in times(now).items():
        text = text.replace(token, value)
    return text.encode("utf-8")


def waiting_draft(sessions: Any) -> int:
    """The id of a waiting draft made from the typhoon warning (read now)."""
    now = datetime.now(UTC).replace(microsecond=0)
    with sessions() as session:
        ingest_feed(session, SOURCE, feed("typhoon-hue.xml", now), now)
        session.commit()
        return session.query(EmergencyDraft.id).filter_by(status="waiting") \
            .order_by(EmergencyDraft.id.desc()).limit(1).scalar()


def seeded(data_dir: Path, **settings_overrides: Any) -> tuple[Any, Any, Any]:
    """(settings, engine, session factory) of a migrated database in ``data_dir`` with
    the demo sites imported."""
    settings = make_settings(data_dir, **settings_overrides)
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
        import_sites(session, REPO / "config" / "sites.yaml")
        session.commit()
    return settings, engine, sessions
