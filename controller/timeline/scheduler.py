"""The periodic timeline roll-over, run by APScheduler 3.x.

Exactly one scheduler must run: APScheduler cannot share jobs across processes (its FAQ),
and several web workers (or the Flask reloader) would each start their own. So only
``controller.server.serve`` starts it, never ``create_app``.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from controller.timeline.publisher import TimelinePublisher

log = logging.getLogger("pano.timeline")

SCHEDULER_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def roll_over(publisher: TimelinePublisher, session_factory: sessionmaker[Session],
              full: bool | None = None) -> list[str]:
    """Move on the screens whose local day has turned: ``rebuild_for`` with no change
    rebuilds exactly those (and any whose emergencies ended), as the property tests of
    tests/timeline_incremental check against a full rebuild; the fleet is not rebuilt
    every quarter of an hour. Once a day, at the first quarter after Huế's midnight, it
    rebuilds everything instead (``full``; None: decided by the time): a slow safety net
    for anything a recorded change failed to name. Returns the screens moved on."""
    if full is None:
        local = publisher.clock().astimezone(SCHEDULER_TIMEZONE)
        full = local.hour == 0 and local.minute < 15
    with session_factory() as session:
        changed = (publisher.rebuild(session) if full
                   else publisher.rebuild_for(session, []))
    log.info("timeline roll-over (%s): %d screen(s) moved on",
             "every screen" if full else "screens whose day turned", len(changed))
    return changed


def start_scheduler(publisher: TimelinePublisher,
                    session_factory: sessionmaker[Session]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=SCHEDULER_TIMEZONE)
    # Just after local midnight in Asia/Ho_Chi_Minh. It also fires every quarter of an
    # hour, so a site configured with another time zone (even a :30 or :45 one) rolls
    # over just after *its* midnight; the hash compare makes the other runs free of pushes.
    scheduler.add_job(roll_over, "cron", minute="0,15,30,45", second=5,
                      args=[publisher, session_factory], id="timeline-roll-over",
                      coalesce=True, max_instances=1, misfire_grace_time=600)
    scheduler.start()
    return scheduler
