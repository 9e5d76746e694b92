"""A feed's bytes through ``ingest_feed`` into a real database with the demo sites:
drafts with the missing languages named, sending at once where a policy allows,
updates, cancellations, idempotent re-reading, and the refusals in the status
sentence, all audited."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from cap.feeds import SOURCE, feed
from sqlalchemy import func, select

from controller.cap.feed import ingest_feed
from controller.emergencies import store
from controller.models import AuditEntry, CapAlertSeen, Emergency, EmergencyDraft

NOW = datetime.now(UTC).replace(microsecond=0)
ALL_SITES = ["a-dot-border-gate", "chan-may-port", "lang-co-pano", "phu-bai-airport"]


def ingest(sessions, name: str, now: datetime = NOW):
    with sessions() as session:
        result = ingest_feed(session, SOURCE, feed(name, NOW), now)
        session.commit()
    return result


def drafts(sessions) -> list[EmergencyDraft]:
    with sessions() as session:
        return list(session.scalars(select(EmergencyDraft).order_by(EmergencyDraft.id)))


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_typhoon_over_hue_becomes_one_waiting_draft_naming_the_missing_language(sessions):
    result = ingest(sessions, "typhoon-hue.xml")
    assert str(result) == "CAP feed: 1 alert(s) read, 1 draft(s) made or updated."
    (draft,) = drafts(sessions)
    assert draft.status == "waiting" and draft.source_id == SOURCE
    assert sorted(draft.sites) == ALL_SITES
    assert draft.messages["vi"]["title"] == "Bão số 6 đổ bộ Thừa Thiên Huế"
    assert draft.messages["en"]["body"].startswith("Typhoon No. 6 brings force 10 winds")
    assert draft.missing == ["lo"]  # A Đớt's screens speak Lao; the alert does not
    assert draft.url == "https://hue.gov.vn/canh-bao-bao"
    assert (draft.event, draft.severity, draft.urgency) == ("Bão", "Severe", "Expected")
    assert count(sessions, Emergency) == 0  # nothing on screens without a person
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action)
                                  .where(AuditEntry.actor == f"cap:{SOURCE}")).all()
    assert sorted(actions) == ["cap_alert.receive", "emergency_draft.create"]


def test_the_same_feed_again_changes_nothing(sessions):
    ingest(sessions, "typhoon-hue.xml")
    again = ingest(sessions, "typhoon-hue.xml", NOW + timedelta(minutes=5))
    assert str(again) == "CAP feed: 1 alert(s) read, 1 already seen."
    assert len(drafts(sessions)) == 1 and count(sessions, CapAlertSeen) == 1


def test_another_province_makes_nothing(sessions):
    result = ingest(sessions, "other-province.xml")
    assert "1 not acted on" in str(result)
    assert drafts(sessions) == [] and count(sessions, Emergency) == 0
    with sessions() as session:
        seen = session.scalar(select(CapAlertSeen))
    assert "covers no site" in seen.outcome


def test_an_extreme_immediate_circle_over_the_port_is_sent_at_once(sessions):
    result = ingest(sessions, "circle-chan-may.xml")
    assert "1 sent at once" in str(result)
    (draft,) = drafts(sessions)
    assert draft.status == "sent" and draft.sites == ["chan-may-port"]  # not Lăng Cô
    assert draft.decided_by == f"cap:{SOURCE}"
    with sessions() as session:
        (emergency,) = store.active(session, NOW)
        assert emergency.id == draft.emergency_id
        assert emergency.targets == {"sites": ["chan-may-port"], "screens": []}
        assert emergency.messages["en"]["title"] == "High waves at Chan May port"
        assert emergency.created_by is None
        sent = session.scalar(select(AuditEntry).where(AuditEntry.action == "emergency.send"))
        assert sent.actor == f"cap:{SOURCE}"


def test_a_geocode_match_in_an_atom_feed_carries_lao_and_misses_english(sessions):
    result = ingest(sessions, "geocode-feed.xml")
    assert "1 linked alert(s) not fetched" in str(result)
    (draft,) = drafts(sessions)
    assert sorted(draft.sites) == ALL_SITES
    assert sorted(draft.messages) == ["lo", "vi"]
    assert draft.missing == ["en"]
    assert "ja-JP" in draft.note  # the Japanese text is left out, and said so


def test_an_update_changes_the_waiting_draft_in_place(sessions):
    ingest(sessions, "typhoon-hue.xml")
    result = ingest(sessions, "update.xml")
    assert "1 draft(s) made or updated" in str(result)
    (draft,) = drafts(sessions)
    assert draft.status == "waiting" and draft.certainty == "Observed"
    assert draft.messages["en"]["title"] == "Typhoon No. 6 strengthens to force 12"
    assert draft.alert_key.split(",")[1] == "VN-NCHMF-2026-TY06-002"


def test_a_cancel_cancels_the_waiting_draft(sessions):
    ingest(sessions, "typhoon-hue.xml")
    ingest(sessions, "update.xml")
    result = ingest(sessions, "cancel.xml")
    assert "1 draft(s) or broadcast(s) ended" in str(result)
    (draft,) = drafts(sessions)
    assert draft.status == "cancelled" and "cancelled by the feed" in draft.note


def test_a_cancel_ends_a_broadcast_sent_at_once(sessions):
    ingest(sessions, "circle-chan-may.xml")
    cancel = feed("cancel.xml", NOW).decode().replace(
        "canhbao@nchmf.gov.vn,VN-NCHMF-2026-TY06-001",
        "cangvu@hue.gov.vn,VN-HUE-PORT-2026-0093")
    with sessions() as session:
        result = ingest_feed(session, SOURCE, cancel.encode(), NOW)
        session.commit()
        assert store.active(session, NOW + timedelta(seconds=1)) == []
    assert "1 draft(s) or broadcast(s) ended" in str(result)


def test_refusals_are_in_the_status_and_store_nothing(sessions):
    expired = ingest(sessions, "expired.xml")
    assert "1 refused: alert 'VN-NCHMF-2026-TY05-009' expired at" in str(expired)
    no_area = ingest(sessions, "no-area.xml")
    assert "has no <area>" in str(no_area)
    laughs = ingest(sessions, "billion-laughs.xml")
    assert not laughs.ok and str(laughs).startswith("CAP feed refused: the feed declares")
    not_cap = ingest(sessions, "not-cap.xml")
    assert "this is not CAP" in str(not_cap)
    assert drafts(sessions) == [] and count(sessions, Emergency) == 0


def test_an_exercise_is_recorded_but_not_acted_on(sessions):
    body = feed("typhoon-hue.xml", NOW).replace(b"<status>Actual", b"<status>Exercise")
    with sessions() as session:
        result = ingest_feed(session, SOURCE, body, NOW)
        session.commit()
    assert "1 not acted on" in str(result) and drafts(sessions) == []


def _circle_update(number: int, severity: str, references: str) -> bytes:
    """An Update of the port's high-waves alert (sent at once), ``number`` its own."""
    text = feed("circle-chan-may.xml", NOW).decode()
    sent = text.split("<sent>")[1].split("</sent>")[0]
    later = (datetime.fromisoformat(sent) + timedelta(minutes=number)).isoformat()
    return (text.replace("VN-HUE-PORT-2026-0093</identifier>",
                         f"VN-HUE-PORT-2026-0093-U{number}</identifier>")
            .replace(f"<sent>{sent}", f"<sent>{later}")
            .replace("<msgType>Alert</msgType>",
                     f"<msgType>Update</msgType><references>{references}</references>")
            .replace("<severity>Extreme</severity>", f"<severity>{severity}</severity>")
            .replace("High waves at Chan May port", f"High waves at Chan May port ({number})")
            ).encode()


def test_updates_of_a_broadcast_sent_at_once_wait_and_keep_it_running(sessions):
    ingest(sessions, "circle-chan-may.xml")
    (sent,) = drafts(sessions)
    original = feed("circle-chan-may.xml", NOW).decode()
    sent_at = original.split("<sent>")[1].split("</sent>")[0]
    first_key = f"cangvu@hue.gov.vn,VN-HUE-PORT-2026-0093,{sent_at}"
    with sessions() as session:
        ingest_feed(session, SOURCE, _circle_update(1, "Severe", first_key), NOW)
        session.commit()
        update_sent = (datetime.fromisoformat(sent_at) + timedelta(minutes=1)).isoformat()
        second_key = f"cangvu@hue.gov.vn,VN-HUE-PORT-2026-0093-U1,{update_sent}"
        ingest_feed(session, SOURCE, _circle_update(2, "Severe", second_key), NOW)
        session.commit()
        assert [e.id for e in store.active(session, NOW)] == [sent.emergency_id]
    waiting = [d for d in drafts(sessions) if d.status == "waiting"]
    assert len(waiting) == 1  # the second update changed the first update's draft
    assert waiting[0].replaces == [sent.emergency_id]  # and still replaces the broadcast
    assert waiting[0].messages["en"]["title"] == "High waves at Chan May port (2)"
    cancel = feed("cancel.xml", NOW).decode().replace(
        "canhbao@nchmf.gov.vn,VN-NCHMF-2026-TY06-001,", "cangvu@hue.gov.vn,VN-HUE-PORT-2026-0093,")
    with sessions() as session:
        ingest_feed(session, SOURCE, cancel.encode(), NOW)
        session.commit()
        assert store.active(session, NOW + timedelta(seconds=1)) == []
    assert {d.status for d in drafts(sessions)} == {"sent", "cancelled"}  # the whole thread


def test_sending_at_once_without_english_waits_for_a_person_and_says_why(sessions):
    text = feed("circle-chan-may.xml", NOW).decode()
    vietnamese_only = text[:text.index("<info>\n    <language>en-US")] + "</alert>\n"
    with sessions() as session:
        result = ingest_feed(session, SOURCE, vietnamese_only.encode(), NOW)
        session.commit()
    assert "1 draft(s) made or updated" in str(result) and "sent at once" not in str(result)
    (draft,) = drafts(sessions)
    assert draft.status == "waiting" and draft.missing == ["en"]
    assert draft.note.startswith("not sent at once: messages needs a text in en")
    assert count(sessions, Emergency) == 0


def test_an_alert_below_every_policy_is_recorded_not_acted_on(sessions):
    body = feed("typhoon-hue.xml", NOW).replace(b"<severity>Severe", b"<severity>Moderate")
    with sessions() as session:
        result = ingest_feed(session, SOURCE, body, NOW)
        session.commit()
        seen = session.scalar(select(CapAlertSeen))
    assert "1 not acted on" in str(result) and drafts(sessions) == []
    assert "site chan-may-port is covered but not acted on: severity Moderate is below " \
           "the site's minimum Severe" in seen.outcome


def test_the_pollers_settings_give_the_languages_and_the_qr_allowlist(sessions, tmp_path):
    from web.helpers import make_settings

    from controller.languages import DEFAULT_LANGUAGES

    settings = dataclasses.replace(
        make_settings(tmp_path), qr_allowed_domains=("vietnam.vn",),
        languages=tuple(lang for lang in DEFAULT_LANGUAGES if lang.code in ("vi", "en")))
    with sessions() as session:
        ingest_feed(session, SOURCE, feed("typhoon-hue.xml", NOW), NOW, settings=settings)
        ingest_feed(session, SOURCE, feed("geocode-feed.xml", NOW), NOW, settings=settings)
        session.commit()
    typhoon, flood = drafts(sessions)
    assert typhoon.url is None and "web address is left out" in typhoon.note
    assert sorted(flood.messages) == ["vi"] and "lo-LA" in flood.note
