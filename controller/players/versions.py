"""Which player software the fleet runs (``GET /api/v1/screens``, ``software``; the
Screens page warns when it is not one version).

A screen's version is the ``software`` it last reported (its connect's ``auth`` and
every heartbeat, stored in ``screen_status.facts``), whether it is online now or not: a
screen that is off still runs what it last ran. Screens that never said are counted as
``unknown`` and do not make the fleet "mixed"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any


def fleet_software(reported: Iterable[str | None]) -> dict[str, Any]:
    """``{"mixed": bool, "versions": [{"software", "screens"}...], "unknown": n}``, the
    most common version first (then by name, so the order is stable)."""
    counts: Counter[str] = Counter()
    unknown = 0
    for software in reported:
        if isinstance(software, str) and software.strip():
            counts[software.strip()] += 1
        else:
            unknown += 1
    versions = [{"software": name, "screens": n}
                for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"mixed": len(versions) > 1, "versions": versions, "unknown": unknown}
