"""Incidents open after the rule's ``for``, clear after ``clear_after``, notify once
each way on every routed channel, stay silent in quiet hours and when flapping. The
clock is passed in (``now``): no test waits for it."""

from __future__ import annotations

import json

from sqlalchemy import select

from controller.alerts import outbox
from controller.alerts.channels import sign
from controller.alerts.incidents import evaluate
from controller.models import AlertIncident, AlertNotification, Screen

from .conftest import SECRET, T0, alerts_yaml, config_of, evaluate_twice_at_once, later, report

SCREEN = "a-dot-entry-hall"
HB = 1.0  # heartbeat interval: offline 3.2 s after the last heartbeat


def _run(fleet, config, at):
    with fleet.sessions() as session:
        return evaluate(session, config, HB, "https://docs.example/operations.md", at)


def _deliver(fleet, config, at):
    return outbox.deliver_due(fleet.sessions, config, "test-worker", lambda: at)


def _notifications(fleet):
    with fleet.sessions() as session:
        return [(n.kind, n.channel, n.state) for n in
                session.scalars(select(AlertNotification).order_by(AlertNotification.id))]


def test_offline_opens_after_its_hold_and_recovers_once(fleet, mailbox, webhook):
    config = config_of(alerts_yaml(mailbox, webhook))
    report(fleet, SCREEN, T0)
    assert _run(fleet, config, later(1)) == {"opened": 0, "cleared": 0}  # online
    # Silent from T0: offline from ~3.2 s, open only after 60 s more.
    assert _run(fleet, config, later(10))["opened"] == 0
    assert _run(fleet, config, later(50))["opened"] == 0
    assert _run(fleet, config, later(71))["opened"] == 1
    assert _run(fleet, config, later(90))["opened"] == 0  # still the same incident
    assert _deliver(fleet, config, later(91)) == {"sent": 2, "failed": 0}
    assert len(mailbox.messages) == 1 and len(webhook.received) == 1
    subject = mailbox.subjects()[0]
    assert "Màn hình mất kết nối" in subject and "Screen offline" in subject
    text = mailbox.messages[0].get_content()
    for words in ("What to do first", "Việc làm trước tiên",
                  "https://docs.example/operations.md#alert-screen-offline",
                  # each name in its language's half of the message
                  f"Màn hình: Sảnh làm thủ tục nhập cảnh ({SCREEN})",
                  "Điểm: Cửa khẩu quốc tế A Đớt (a-dot-border-gate)",
                  f"Screen: Entry formalities hall ({SCREEN})",
                  "Site: A Dot International Border Gate (a-dot-border-gate)"):
        assert words in text, words
    headers, body = webhook.received[0]
    assert headers["X-Pano-Signature"] == sign(SECRET, body)
    sent = json.loads(body)
    assert (sent["kind"], sent["rule"], sent["screen"]["id"]) == ("open", "screen_offline",
                                                                 SCREEN)

    # Back: clears only after clear_after (30 s) of being back.
    report(fleet, SCREEN, later(100))
    assert _run(fleet, config, later(101))["cleared"] == 0
    report(fleet, SCREEN, later(120))
    assert _run(fleet, config, later(121))["cleared"] == 0
    report(fleet, SCREEN, later(131))
    assert _run(fleet, config, later(132))["cleared"] == 1
    assert _deliver(fleet, config, later(133)) == {"sent": 2, "failed": 0}
    assert [k for k, _c, _s in _notifications(fleet)] == ["open", "open", "recovery",
                                                          "recovery"]
    assert "RECOVERED" in mailbox.subjects()[1]


def test_quiet_hours_mean_off_by_schedule(fleet, mailbox, webhook):
    # 10:00 in Huế is inside 09:00-18:00 quiet hours of the A Đớt border site.
    doc = alerts_yaml(mailbox, webhook,
                      sites={"a-dot-border-gate": {"quiet_hours": ["09:00-18:00"]}})
    config = config_of(doc)
    report(fleet, SCREEN, T0)
    for at in (10, 80, 200):
        assert _run(fleet, config, later(at))["opened"] == 0
    with fleet.sessions() as session:
        assert session.scalars(select(AlertIncident)).all() == []


def test_a_screen_switched_off_just_before_quiet_hours_does_not_alert_at_dawn(fleet, webhook):
    # Quiet 10:01-12:00 in Huế; the screen goes silent at 10:00, just before.
    doc = alerts_yaml(None, webhook,
                      sites={"a-dot-border-gate": {"quiet_hours": ["10:01-12:00"]}})
    config = config_of(doc)
    report(fleet, SCREEN, T0)
    assert _run(fleet, config, later(30))["opened"] == 0  # pending (for: 60 s)
    assert _run(fleet, config, later(120))["opened"] == 0  # quiet: dropped
    # 12:00:30, the site wakes up and the screen is still off: the hold starts again.
    assert _run(fleet, config, later(2 * 3600 + 30))["opened"] == 0
    assert _run(fleet, config, later(2 * 3600 + 95))["opened"] == 1


def test_flapping_sends_one_notice_not_one_per_opening(fleet, mailbox, webhook):
    doc = alerts_yaml(None, webhook, flapping={"max_per_hour": 2},
                      rules={"screen_offline": {"for": 0, "clear_after": 0}})
    config = config_of(doc)
    t = 0.0
    for _ in range(5):  # five outages of 10 s within a few minutes
        report(fleet, SCREEN, later(t))
        _run(fleet, config, later(t + 1))
        _run(fleet, config, later(t + 10))  # offline: opens at once (for: 0)
        report(fleet, SCREEN, later(t + 20))
        _run(fleet, config, later(t + 21))  # back: clears at once
        t += 30
    kinds = [k for k, _c, _s in _notifications(fleet)]
    assert kinds == ["open", "recovery", "open", "recovery", "flapping"]


def test_open_incidents_are_counted_for_prometheus(fleet, webhook):
    from controller.metrics.registry import REGISTRY

    config = config_of(alerts_yaml(None, webhook))
    report(fleet, SCREEN, T0)
    _run(fleet, config, later(10))  # offline: pending
    assert _run(fleet, config, later(71))["opened"] == 1
    assert REGISTRY.get_sample_value("pano_alerts_firing", {"severity": "critical"}) == 1
    report(fleet, SCREEN, later(100))
    _run(fleet, config, later(101))
    report(fleet, SCREEN, later(139))
    assert _run(fleet, config, later(140))["cleared"] == 1
    assert REGISTRY.get_sample_value("pano_alerts_firing", {"severity": "critical"}) == 0


def test_a_guarded_update_changes_its_incident_in_memory_only_when_the_row_changed(fleet):
    from sqlalchemy import event

    from controller.alerts.incidents import _set

    with fleet.sessions() as session:
        made = [AlertIncident(open_key=f"screen_offline:s{i}", rule="screen_offline",
                              screen_id=f"s{i}", site_id="x", severity="warning",
                              state="pending", since=T0) for i in range(3)]
        session.add_all(made)
        session.commit()
        first, second, _third = made
        updates: list[str] = []
        event.listen(session.get_bind(), "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: updates.append(sql.lower()))
        assert _set(session, first, {"state": "pending"}, state="open", opened_at=later(5))
        assert (first.state, first.opened_at) == ("open", later(5))
        assert second.state == "pending"  # nobody else's incident touched
        # Another process got there first: the guard fails, memory is left as it was.
        assert not _set(session, second, {"state": "open"}, state="cleared")
        assert second.state == "pending"
        session.commit()  # nothing left for the unit of work to write
        assert [s for s in updates if s.startswith("update")] == [updates[0], updates[1]]
        assert all("alert_incidents" in s for s in updates[:2])
    with fleet.sessions() as session:
        stored = {i.screen_id: (i.state, i.opened_at is not None) for i in session.scalars(
            select(AlertIncident).where(AlertIncident.screen_id.in_(["s0", "s1"])))}
    assert stored == {"s0": ("open", True), "s1": ("pending", False)}


def _states(fleet):
    with fleet.sessions() as session:
        return sorted((i.screen_id, i.state, i.open_key) for i in
                      session.scalars(select(AlertIncident)))


def test_a_whole_fleet_offline_at_once_is_one_pending_incident_each_and_dropped_when_back(
        fleet, webhook):
    """A site's network going down (or a push to every screen not acked yet) makes a
    rule hold for many screens in one pass: each gets its pending incident; back before
    the rule's ``for``, each is dropped and nobody is told, and deleted a day later; a
    second pass while they are still pending (as another controller process would run
    it) adds none."""
    config = config_of(alerts_yaml(None, webhook))
    with fleet.sessions() as session:
        screens = sorted(session.scalars(select(Screen.id)))
    assert len(screens) >= 3
    for screen in screens:
        report(fleet, screen, T0)
    assert _run(fleet, config, later(20)) == {"opened": 0, "cleared": 0}
    pending = _states(fleet)
    assert pending == [(s, "pending", f"screen_offline:{s}") for s in screens]
    evaluate_twice_at_once(fleet.sessions, config, later(30))
    assert _states(fleet) == pending  # the same rows, none twice
    for screen in screens[1:]:
        report(fleet, screen, later(40))
    _run(fleet, config, later(41))
    assert _states(fleet) == [(screens[0], "pending", f"screen_offline:{screens[0]}")] + [
        (s, "dropped", None) for s in screens[1:]]
    assert _run(fleet, config, later(81))["opened"] == 1  # the one still silent, after its 60 s
    assert _deliver(fleet, config, later(82)) == {"sent": 1, "failed": 0}
    assert [json.loads(body)["screen"]["id"] for _, body in webhook.received] == [screens[0]]
    # A day on, the dropped ones are gone (nothing reads them); the open one stays (and
    # the others, silent again since, have opened their own).
    assert [st for _, st, _ in _states(fleet)].count("dropped") == len(screens) - 1
    _run(fleet, config, later(41 + 86400 + 1))
    assert [st for _, st, _ in _states(fleet)].count("dropped") == 0
    assert (screens[0], "open", f"screen_offline:{screens[0]}") in _states(fleet)
