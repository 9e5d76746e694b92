"""The alerts' one-process-wins writes on PostgreSQL (SQLite is covered by the other
files): two evaluations at once open one incident and queue its messages once, and of
two processes claiming one message only one gets it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.alerts import outbox
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.models import AlertIncident, AlertNotification, ScreenStatus
from controller.zones.declarations import import_layouts

from .conftest import REPO_SITES, alerts_yaml, config_of, evaluate_twice_at_once, later
from .conftest import T0 as SEEN

SCREEN = "a-dot-entry-hall"


def test_one_incident_and_one_claim_on_postgresql(pg_url: str, webhook) -> None:  # noqa: F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        import_layouts(session, REPO_SITES.with_name("layouts.yaml"))  # named by sites.yaml
        import_sites(session, REPO_SITES)
        session.add(ScreenStatus(screen_id=SCREEN, connected=False, last_seen=SEEN,
                                 missing_media=[], facts={}, remote_addr=""))
        session.commit()
    config = config_of(alerts_yaml(None, webhook, rules={"screen_offline": {"for": 0}}))
    evaluate_twice_at_once(sessions, config, later(30))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AlertIncident)) == 1
        row_id = session.scalars(select(AlertNotification.id)).one()
    now = datetime.now(UTC)
    with sessions() as first, sessions() as second:
        won = [outbox.claim(first, row_id, "a", config, now),
               outbox.claim(second, row_id, "b", config, now)]
    assert won == [True, False]
    engine.dispose()
