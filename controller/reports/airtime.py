"""Plays, airtime and shares from ``play_daily``, and QR scans from ``qr_scans``, for a
:class:`ReportQuery`.

- **plays**: how many records of the kind (default ``item``) started on those days;
- **airtime**: the seconds they were on screen (hours in the answer);
- **share**: a group's airtime ÷ the airtime of the whole report (same filters, no
  grouping). Groups by language or theme may add up to more than 100 %: a ``dual``
  record puts two languages on screen at once, and a playlist may carry two themes.

With a ``language`` filter, or grouped by language, the per-language rows are read: the
plays and the time *that language* was on screen. Otherwise the totals rows
(``language = '*'``). Theme is the playlist's (``playlists.themes``), month and day are
Huế days; both are folded here from the rows the database grouped by playlist or day, so
the SQL is the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.models import PlayDaily, Playlist, QrScan
from controller.reports.filters import ReportQuery, hue_day

COLUMNS = {"agency": PlayDaily.agency_id, "site": PlayDaily.site_id,
           "screen": PlayDaily.screen_id, "playlist": PlayDaily.playlist_id,
           "language": PlayDaily.language, "kind": PlayDaily.kind}
Key = tuple[str, ...]


@dataclass
class Sums:
    plays: int = 0
    seconds: float = 0.0
    qr_scans: int = 0

    def add(self, plays: int, seconds: float) -> None:
        self.plays += int(plays or 0)
        self.seconds += float(seconds or 0.0)


@dataclass
class Catalogue:
    """What the rows do not carry: each playlist's agency and themes."""

    agency: dict[str, str] = field(default_factory=dict)
    themes: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        made = cls()
        for pid, agency, themes in session.execute(
                select(Playlist.id, Playlist.agency_id, Playlist.themes)):
            made.agency[pid] = agency or ""
            made.themes[pid] = [str(t) for t in (themes or [])]
        return made

    def with_theme(self, theme: str) -> list[str]:
        return sorted(pid for pid, themes in self.themes.items() if theme in themes)


def _where(stmt: Any, query: ReportQuery, cat: Catalogue, per_language: bool) -> Any:
    f = query.filters
    stmt = stmt.where(PlayDaily.day >= query.first, PlayDaily.day <= query.last,
                      PlayDaily.kind == query.kind)
    if "language" in f:
        stmt = stmt.where(PlayDaily.language == f["language"])
    elif per_language:
        stmt = stmt.where(PlayDaily.language != "*")
    else:
        stmt = stmt.where(PlayDaily.language == "*")
    for name in ("agency", "site", "screen", "playlist"):
        if name in f:
            stmt = stmt.where(COLUMNS[name] == f[name])
    if "item" in f:
        stmt = stmt.where(PlayDaily.item_id == f["item"])
    if "theme" in f:
        stmt = stmt.where(PlayDaily.playlist_id.in_(cat.with_theme(f["theme"])))
    return stmt


def _sql_columns(groups: tuple[str, ...]) -> list[Any]:
    """The columns the database groups by for ``groups``."""
    cols: list[Any] = []
    for name in groups:
        if name in COLUMNS:
            cols.append(COLUMNS[name])
        elif name == "item":
            cols += [PlayDaily.playlist_id, PlayDaily.item_id]
        elif name == "theme":
            cols.append(PlayDaily.playlist_id)
        else:  # month, day
            cols.append(PlayDaily.day)
    unique: list[Any] = []
    for col in cols:
        if not any(col is seen for seen in unique):
            unique.append(col)
    return unique


def _keys(groups: tuple[str, ...], value: dict[str, Any], cat: Catalogue) -> list[Key]:
    """The group keys a row (or scan) falls in: one, or one per theme."""
    keys: list[list[str]] = [[]]
    for name in groups:
        if name == "theme":
            themes = cat.themes.get(value.get("playlist_id") or "", []) or [""]
            keys = [k + [t] for k in keys for t in themes]
            continue
        if name == "item":
            part = f"{value.get('playlist_id') or ''}/{value.get('item_id') or ''}"
        elif name in ("month", "day"):
            day = value["day"]
            part = day.isoformat()[:7] if name == "month" else day.isoformat()
        else:
            part = value.get(COLUMNS[name].key) or ""
        keys = [k + [str(part)] for k in keys]
    return [tuple(k) for k in keys]


def airtime(session: Session, query: ReportQuery, cat: Catalogue) -> dict[Key, Sums]:
    """Plays and seconds per group key (``()`` alone when nothing is grouped)."""
    groups = query.group_by
    per_language = "language" in groups
    cols = _sql_columns(groups)
    stmt = select(*cols, func.sum(PlayDaily.plays), func.sum(PlayDaily.seconds))
    stmt = _where(stmt, query, cat, per_language)
    if cols:
        stmt = stmt.group_by(*cols)
    sums: dict[Key, Sums] = defaultdict(Sums)
    for row in session.execute(stmt):
        value = {col.key: row[i] for i, col in enumerate(cols)}
        for key in _keys(groups, value, cat):
            sums[key].add(row[-2], row[-1])
    return dict(sums)


def qr_scans(session: Session, query: ReportQuery, cat: Catalogue) -> dict[Key, int]:
    """QR scans per group key, counted for the kind ``item`` only (a scan is of an
    item's code). Agency and theme are the scanned playlist's."""
    if query.kind != "item":
        return {}
    f = query.filters
    stmt = select(QrScan.playlist_id, QrScan.item_id, QrScan.lang, QrScan.screen_id,
                  QrScan.site_id, QrScan.at).where(QrScan.at >= query.start,
                                                   QrScan.at < query.end)
    for name, col in (("playlist", QrScan.playlist_id), ("item", QrScan.item_id),
                      ("language", QrScan.lang), ("screen", QrScan.screen_id),
                      ("site", QrScan.site_id)):
        if name in f:
            stmt = stmt.where(col == f[name])
    if "agency" in f:
        stmt = stmt.where(QrScan.playlist_id.in_(
            sorted(p for p, a in cat.agency.items() if a == f["agency"])))
    if "theme" in f:
        stmt = stmt.where(QrScan.playlist_id.in_(cat.with_theme(f["theme"])))
    counts: dict[Key, int] = defaultdict(int)
    for pid, item, lang, screen, site, at in session.execute(stmt):
        value = {"playlist_id": pid, "item_id": item, "language": lang, "screen_id": screen,
                 "site_id": site, "agency_id": cat.agency.get(pid, ""), "kind": "item",
                 "day": hue_day(at)}
        for key in _keys(query.group_by, value, cat):
            counts[key] += 1
    return dict(counts)


def total(session: Session, query: ReportQuery, cat: Catalogue) -> Sums:
    """The whole report's plays and seconds (the base of every share)."""
    ungrouped = ReportQuery(query.first, query.last, query.filters, (), query.kind)
    return airtime(session, ungrouped, cat).get((), Sums())


def rows(groups: tuple[str, ...], sums: dict[Key, Sums], scans: dict[Key, int],
         base: float) -> list[dict[str, Any]]:
    """The answer's rows, largest airtime first (by time for month and day)."""
    keys: Iterable[Key] = set(sums) | set(scans)
    made = []
    for key in keys:
        s = sums.get(key, Sums())
        made.append({"key": dict(zip(groups, key, strict=True)), "plays": s.plays,
                     "airtime_seconds": round(s.seconds, 3),
                     "airtime_hours": round(s.seconds / 3600, 4),
                     "share": round(s.seconds / base, 6) if base else 0.0,
                     "qr_scans": scans.get(key, 0)})
    if groups and groups[0] in ("month", "day"):
        made.sort(key=lambda r: tuple(r["key"].values()))
    else:
        made.sort(key=lambda r: (-r["airtime_seconds"], tuple(r["key"].values())))
    return made
