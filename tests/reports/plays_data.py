"""A known proof-of-play data set for the report tests: records uploaded through the
controller's own ingest (a real hash chain per screen, ``play_records`` and
``play_daily`` kept by it), QR scans, presence intervals, an emergency with receipts and
a finding written straight into their tables. The expected figures are worked out by
hand in ``EXPECTED``."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from controller.models import (
    Emergency,
    EmergencyReceipt,
    PlayFinding,
    QrCode,
    QrScan,
    ScreenPresence,
)
from controller.plays.batch import validate_batch
from controller.plays.ingest import ingest

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
ZERO = "0" * 64
INGESTED = datetime(2026, 12, 6, tzinfo=UTC)  # when the records were uploaded


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


class Builder:
    """Sends records through the controller's real ingest (``controller.plays.ingest``),
    one batch per record, each screen's journal chained: what the tables hold is what a
    player's upload would have stored, ``play_daily`` included."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.chains: dict[str, tuple[str, int, str]] = {}  # screen: (journal, seq, hash)

    def record(self, screen: str, start: str, seconds: float, playlist: str | None = None,
               item: str | None = None, languages: list[str] | None = None,
               kind: str = "item", media: list[str] | None = None,
               emergency: int | None = None) -> dict[str, Any]:
        journal, seq, prev = self.chains.get(
            screen, (f"00000000-0000-4000-8000-{len(self.chains):012d}", 0, ZERO))
        end = utc(start) + timedelta(seconds=seconds)
        body: dict[str, Any] = {
            "seq": seq + 1, "prev": prev, "kind": kind, "start": start,
            "end": end.isoformat().replace("+00:00", "Z"), "ended": "duration",
            "source": "kiosk", "playlist": playlist, "version": 1 if playlist else None,
            "item": item, "languages": languages or [], "media": media or [],
            "emergency": emergency, "timeline_version": 1}
        body["hash"] = hashlib.sha256(json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
        answer = ingest(self.session, screen, validate_batch(
            {"journal": journal, "records": [body]}), now=INGESTED)
        assert answer["stored_through"] == body["seq"], answer
        self.chains[screen] = (journal, body["seq"], body["hash"])
        return body


def scan(session: Session, playlist: str, item: str, lang: str, screen: str, site: str,
         at: str) -> None:
    code = hashlib.sha256(f"{playlist}{item}{lang}{screen}".encode()).hexdigest()[:10]
    if session.get(QrCode, code) is None:
        session.add(QrCode(code=code, playlist_id=playlist, item_id=item, lang=lang,
                           screen_id=screen, target_url="https://hue.gov.vn/",
                           target_hash="0" * 64))
        session.flush()
    session.add(QrScan(code=code, playlist_id=playlist, item_id=item, lang=lang,
                       screen_id=screen, site_id=site, at=utc(at)))


ARRIVALS, ENTRY, OUTDOOR = "phu-bai-arrivals", "a-dot-entry-hall", "a-dot-outdoor-pano"
SHA = {name: hashlib.sha256(name.encode()).hexdigest() for name in ("a", "b", "c", "d")}


def build_march(session: Session) -> dict[str, Any]:
    """The data set: March 2026 in Huế time, with records just outside it."""
    emergency = Emergency(messages={"vi": {"title": "Đóng cửa khẩu", "body": ""},
                                    "en": {"title": "Border gate closed", "body": ""},
                                    "lo": {"title": "ປິດດ່ານ", "body": ""}},
                          targets={"sites": ["a-dot-border-gate"], "screens": []},
                          starts_at=utc("2026-03-15T03:00:00Z"),
                          ends_at=utc("2026-03-15T04:00:00Z"))
    session.add(emergency)
    session.flush()
    session.commit()
    b = Builder(session)
    b.record(ARRIVALS, "2026-03-10T01:00:00Z", 10, "happy-hue-2025", "welcome", ["vi", "en"],
             media=[SHA["a"]])
    b.record(ARRIVALS, "2026-03-10T01:00:10Z", 10, "happy-hue-2025", "welcome", ["vi", "en"],
             media=[SHA["b"]])
    b.record(ARRIVALS, "2026-03-10T01:00:20Z", 20, "invest-hue", "invest", ["vi"],
             media=[SHA["c"]])
    b.record(ARRIVALS, "2026-03-10T01:00:40Z", 20, "invest-hue", "invest", ["en"],
             media=[SHA["d"]])
    b.record(ENTRY, "2026-02-28T16:59:56Z", 4, "happy-hue-2025", "cuisine", ["vi"])  # Feb 28
    b.record(ENTRY, "2026-02-28T17:00:00Z", 10, "happy-hue-2025", "cuisine", ["vi"])  # Mar 1
    b.record(ENTRY, "2026-03-10T02:00:00Z", 30, "border-welcome", "welcome", ["vi", "lo"])
    b.record(ENTRY, "2026-03-15T03:00:00Z", 60, kind="emergency", emergency=emergency.id)
    b.record(ENTRY, "2026-03-31T16:59:50Z", 5, "border-welcome", "welcome", ["lo"])  # Mar 31
    b.record(ENTRY, "2026-03-31T17:00:00Z", 5, "border-welcome", "welcome", ["lo"])  # Apr 1
    scan(session, "happy-hue-2025", "welcome", "en", ARRIVALS, "phu-bai-airport",
         "2026-03-10T01:00:05Z")
    scan(session, "happy-hue-2025", "welcome", "vi", ARRIVALS, "phu-bai-airport",
         "2026-03-10T09:00:00Z")
    scan(session, "happy-hue-2025", "welcome", "vi", ARRIVALS, "phu-bai-airport",
         "2026-03-31T17:00:01Z")  # April in Huế
    session.add_all([
        ScreenPresence(screen_id=ARRIVALS, since=utc("2026-02-20T00:00:00Z"),
                       until=utc("2026-03-16T17:00:00Z"), via="websocket"),
        ScreenPresence(screen_id=ENTRY, since=utc("2026-03-10T17:00:00Z"),
                       until=utc("2026-03-11T17:00:00Z"), via="websocket"),
        ScreenPresence(screen_id=ENTRY, since=utc("2026-03-11T05:00:00Z"),
                       until=utc("2026-03-11T17:00:00Z"), via="http"),
    ])
    session.add_all([
        EmergencyReceipt(emergency_id=emergency.id, screen_id=ENTRY,
                         shown_at=utc("2026-03-15T03:00:02Z")),
        EmergencyReceipt(emergency_id=emergency.id, screen_id=OUTDOOR,
                         shown_at=utc("2026-03-15T03:00:05.500Z")),
        PlayFinding(screen_id=ENTRY, journal="00000000-0000-4000-8000-000000000001",
                    kind="gap", seq_from=3, seq_to=4, about_at=utc("2026-03-20T00:00:00Z"),
                    detail="records 3 to 4 are missing"),
    ])
    session.flush()
    return {"emergency": emergency.id}


MARCH = 31 * 86400
# Worked out by hand from build_march (Huế days 2026-03-01 … 2026-03-31, kind item).
EXPECTED = {
    "plays": 7, "seconds": 10 + 10 + 20 + 20 + 10 + 30 + 5,  # 105
    "agency": {"tourism": (3, 30.0), "investment": (2, 40.0), "border-guard": (2, 35.0)},
    "language": {"vi": (5, 80.0), "en": (3, 40.0), "lo": (2, 35.0)},
    "theme": {"tourism": 30.0, "festival": 30.0, "investment": 40.0, "border": 35.0,
              "vietnam-laos": 35.0},
    "qr_scans": 2,
    "availability": {ARRIVALS: 16 * 86400 / MARCH, ENTRY: 86400 / MARCH},
}
