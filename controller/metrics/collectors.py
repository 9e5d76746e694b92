"""Metrics computed from the database when ``/metrics`` is scraped: what every process
must report alike (a screen is online whichever process it talks to), so no per-process
counter could say it. One cheap query per family; only inside a request of the app (the
scrape), never on a player's path."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import has_app_context
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from controller.metrics.registry import REGISTRY
from controller.models import RenderedSlide, Rendition, Screen, ScreenStatus
from controller.players.presence import is_online
from controller.state import state

log = logging.getLogger("pano.metrics")


class DatabaseCollector(Collector):
    """Screens and screens online by site (the rule of ``GET /api/v1/screens``), and the
    renditions and slides stored (drawn by whichever process, the job worker's too)."""

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time: nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        if not has_app_context():  # imported by a tool, not scraped
            return
        st = state()
        try:
            with st.session_factory() as session:
                rows = session.execute(
                    select(Screen.site_id, ScreenStatus.last_seen)
                    .outerjoin(ScreenStatus, ScreenStatus.screen_id == Screen.id)).all()
                renditions = session.scalar(select(func.count()).select_from(Rendition))
                slides = session.scalar(select(func.count()).select_from(RenderedSlide))
        except SQLAlchemyError:
            log.exception("metrics: reading screens from the database failed")
            return
        now = datetime.now(UTC)
        screens: Counter[str] = Counter()
        online: Counter[str] = Counter()
        for site, last_seen in rows:
            screens[site] += 1
            online[site] += is_online(last_seen, st.settings.heartbeat_interval, now)
        total = GaugeMetricFamily("pano_screens", "Screens configured, by site.",
                                  labels=["site"])
        up = GaugeMetricFamily("pano_screens_online", "Screens online (connected or heard "
                               "within 3 heartbeat intervals), by site.", labels=["site"])
        for site in sorted(screens):
            total.add_metric([site], screens[site])
            up.add_metric([site], online[site])
        yield total
        yield up
        yield GaugeMetricFamily("pano_renditions_stored", "Media renditions stored "
                                "(made by any process, the job worker's included).",
                                value=renditions or 0)
        yield GaugeMetricFamily("pano_slides_stored", "Rendered slides stored (made by any "
                                "process, the job worker's included).", value=slides or 0)


REGISTRY.register(DatabaseCollector())
