"""A CAP 1.2 alert message as Pano reads it (OASIS CAP 1.2, section 3): only the fields
Pano acts on, already checked by :mod:`controller.cap.parse`. Pure values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# CAP's value lists, weakest first: a policy's minimum is a position in these.
SEVERITIES = ("Unknown", "Minor", "Moderate", "Severe", "Extreme")
URGENCIES = ("Unknown", "Past", "Future", "Expected", "Immediate")
CERTAINTIES = ("Unknown", "Unlikely", "Possible", "Likely", "Observed")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")

Point = tuple[float, float]  # (lat, lon), WGS 84 degrees


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class Area:
    desc: str
    polygons: tuple[tuple[Point, ...], ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)


@dataclass(frozen=True)
class Info:
    language: str  # as the alert writes it, e.g. "vi-VN"
    lang: str | None  # Pano's code ("vi"), None when Pano has no such language
    event: str
    urgency: str
    severity: str
    certainty: str
    effective: datetime | None
    onset: datetime | None
    expires: datetime | None
    headline: str
    description: str
    instruction: str
    web: str | None
    areas: tuple[Area, ...]


def alert_key(sender: str, identifier: str, sent: datetime) -> str:
    """CAP's identity of a message (``sender,identifier,sent``), the time in UTC so that
    ``+07:00`` and ``Z`` spellings of one moment are one message."""
    return f"{sender},{identifier},{sent.astimezone(UTC).isoformat()}"


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: tuple[str, ...]  # keys (alert_key) of earlier messages
    infos: tuple[Info, ...] = field(default=())

    @property
    def key(self) -> str:
        return alert_key(self.sender, self.identifier, self.sent)

    def expires(self) -> datetime | None:
        """The latest expiry among its infos (None when none says)."""
        times = [info.expires for info in self.infos if info.expires is not None]
        return max(times) if times else None
