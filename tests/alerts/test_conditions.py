"""Each rule against what players and the other parts of the controller wrote into the
database (heartbeat facts, the kiosk page's liveness, screen-truth verdicts, emergency
receipts, play-journal findings), and two evaluations at once opening one incident."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from controller.alerts.incidents import evaluate
from controller.alerts.rules import RULES
from controller.models import (
    AlertIncident,
    Emergency,
    EmergencyReceipt,
    PlayFinding,
    ScreenCommand,
    ScreenTimeline,
)

from .conftest import alerts_yaml, config_of, evaluate_twice_at_once, later, report

SCREEN = "phu-bai-arrivals"
ALL_AT_ONCE = {name: {"for": 0} for name in RULES}
GOOD_FACTS = {"disk": {"total": 100, "free": 50}, "cpu_temp": 50.0, "clock_offset": 0.01,
              "display": {"alive": True, "item": "welcome", "frame_at": None,
                          "visible": True}}


def _open_rules(fleet, at) -> set[str]:
    config = config_of(alerts_yaml(None, None, rules=ALL_AT_ONCE))
    with fleet.sessions() as session:
        evaluate(session, config, 5.0, "docs/operations.md", at)
        return {i.rule for i in session.scalars(select(AlertIncident).where(
            AlertIncident.state == "open", AlertIncident.screen_id == SCREEN))}


def _acked(fleet) -> int:
    """The version pushed to the screen (a stored timeline, made here if none): the
    version a screen that is up to date has acknowledged."""
    with fleet.sessions() as session:
        row = session.get(ScreenTimeline, SCREEN)
        if row is None:
            row = ScreenTimeline(screen_id=SCREEN, version=3, content_hash="0" * 64, body={})
            session.add(row)
            session.commit()
        return row.version


def test_a_healthy_screen_raises_nothing(fleet):
    report(fleet, SCREEN, later(0), facts=GOOD_FACTS, acked_version=_acked(fleet))
    assert _open_rules(fleet, later(1)) == set()


def test_heartbeat_facts_beyond_their_thresholds(fleet):
    report(fleet, SCREEN, later(0), acked_version=_acked(fleet), missing_media=["abc"],
           facts={**GOOD_FACTS, "disk": {"total": 100, "free": 3}, "cpu_temp": 91.5,
                  "clock_offset": -45.0})
    assert _open_rules(fleet, later(1)) == {"disk_full", "cpu_temp_high", "clock_offset",
                                            "media_missing"}


def test_kiosk_page_not_alive_from_the_display_fact(fleet):
    report(fleet, SCREEN, later(0), acked_version=_acked(fleet),
           facts={**GOOD_FACTS, "display": {"alive": False, "item": "welcome",
                                            "frame_at": None, "visible": True}})
    assert _open_rules(fleet, later(1)) == {"kiosk_not_alive"}


@pytest.mark.parametrize(("verdict", "rule"), [("black", "screen_black_frozen"),
                                              ("frozen", "screen_black_frozen"),
                                              ("wrong", "screen_wrong_content")])
def test_the_latest_screen_truth_verdict_opens_its_rule(fleet, verdict, rule):
    report(fleet, SCREEN, later(0), facts=GOOD_FACTS, acked_version=_acked(fleet))
    with fleet.sessions() as session:
        session.add(ScreenCommand(id=str(uuid.uuid4()), screen_id=SCREEN, command="capture",
                                  args={"periodic": True}, status="done",
                                  result={"verdict": verdict, "reason": "seen so"},
                                  requested_by="(periodic capture)", created_at=later(0),
                                  finished_at=later(0)))
        session.commit()
    assert _open_rules(fleet, later(1)) == {rule}


def test_timeline_not_acked_and_emergency_not_shown(fleet):
    _acked(fleet)
    report(fleet, SCREEN, later(0), facts=GOOD_FACTS, acked_version=1)
    with fleet.sessions() as session:
        session.add(Emergency(messages={"vi": {"title": "Bão"}, "en": {"title": "Storm"}},
                              targets={"sites": ["phu-bai-airport"]},
                              starts_at=later(-60), ends_at=later(3600)))
        session.commit()
        emergency_id = session.scalars(select(Emergency.id)).one()
    assert _open_rules(fleet, later(1)) == {"timeline_not_acked", "emergency_not_shown"}
    with fleet.sessions() as session:
        session.add(EmergencyReceipt(emergency_id=emergency_id, screen_id=SCREEN,
                                     shown_at=later(2)))
        session.commit()
    report(fleet, SCREEN, later(3), acked_version=_acked(fleet))
    assert _open_rules(fleet, later(4)) == set()  # clear_after 0 for both


def test_journal_gap_within_its_window(fleet):
    report(fleet, SCREEN, later(0), facts=GOOD_FACTS, acked_version=_acked(fleet))
    with fleet.sessions() as session:
        session.add(PlayFinding(screen_id=SCREEN, kind="gap", seq_from=10, seq_to=19,
                                detail="records 10-19 missing", found_at=later(0)))
        session.commit()
    assert _open_rules(fleet, later(1)) == {"journal_gap"}
    # An hour later (within: 1h) the finding is old news: the incident clears.
    report(fleet, SCREEN, later(3700), facts=GOOD_FACTS)
    assert _open_rules(fleet, later(3701)) == set()


def test_two_evaluations_at_once_open_one_incident(fleet):
    report(fleet, SCREEN, later(0))
    config = config_of(alerts_yaml(None, None, rules={"screen_offline": {"for": 0}}))
    evaluate_twice_at_once(fleet.sessions, config, later(30))
    with fleet.sessions() as session:
        rows = session.scalars(select(AlertIncident).where(
            AlertIncident.screen_id == SCREEN)).all()
    assert [(r.rule, r.state) for r in rows] == [("screen_offline", "open")]


def test_a_screen_that_never_connected_is_not_an_outage(fleet):
    assert _open_rules(fleet, later(1) + timedelta(days=1)) == set()
