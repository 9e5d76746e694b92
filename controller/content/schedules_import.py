"""Import ``config/schedules.yaml`` (which playlist plays where, and when) into the database.

The whole file is validated first — against the engine's own rules and against the
sites, screens and playlists in the database — and refused with ``FILE, line N: reason``
on the first problem, writing nothing. Schedules are upserted by their ``id`` (a slug),
so re-importing the same file changes nothing; schedules in the database but not in the
file are kept and reported. The format is in docs/scheduling.md.

One entry is validated by the same rules whether it comes from the file or from a JSON
body of the API (``parse_entry`` on a :class:`Fields` view of either; a JSON body has
no line numbers). ``create_schedule`` and ``update_schedule`` store a validated entry
and write the audit entry (``schedule.create`` / ``schedule.update``, before/after) for
both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller import changes
from controller.content import ImportReport
from controller.content.assignments import (
    Placement,
    PlaylistItems,
    ScreenProfile,
    load_screens,
    per_screen,
)
from controller.content.completeness import refusal_for_screens
from controller.content.schedule_targets import SiteReach
from controller.content.schedules_store import (
    TARGET_KINDS,
    create_schedule,
    differs,
    entry_values,
    update_schedule,
)
from controller.content.sites_import import ID_HINT, ID_RE, TAG_HINT, TAG_RE, label
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.models import (
    APPROVED,
    Playlist,
    PlaylistVersion,
    Schedule,
    Screen,
    Site,
)
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.permissions import check_schedule
from controller.scheduling import Window

WEEKDAYS = {name: index for index, names in enumerate(
    (("mon", "monday"), ("tue", "tuesday"), ("wed", "wednesday"), ("thu", "thursday"),
     ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday"))) for name in names}
WEEKDAY_HINT = "mon, tue, wed, thu, fri, sat, sun"
CLOCK = r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?"
WINDOW_RE = re.compile(rf"^\s*{CLOCK}\s*-\s*{CLOCK}\s*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PRIORITY = 1_000_000


@dataclass
class ParsedSchedule:
    slug: str
    line: int | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Known:
    """What the file may refer to: ids in the database (after this transaction's
    earlier imports)."""

    sites: frozenset[str]
    screens: frozenset[str]
    tags: frozenset[str]
    versions: dict[str, frozenset[int]]  # playlist id -> its approved version numbers

    @classmethod
    def load(cls, session: Session) -> Known:
        versions: dict[str, set[int]] = {pid: set() for pid in session.scalars(select(Playlist.id))}
        for pid, number in session.execute(select(PlaylistVersion.playlist_id,
                                                  PlaylistVersion.number)
                                           .where(PlaylistVersion.state == APPROVED)):
            versions.setdefault(pid, set()).add(number)
        tags: set[str] = set()
        for screen_tags in session.scalars(select(Screen.tags)):
            tags.update(screen_tags or [])
        return cls(sites=frozenset(session.scalars(select(Site.id))),
                   screens=frozenset(session.scalars(select(Screen.id))),
                   tags=frozenset(tags),
                   versions={pid: frozenset(v) for pid, v in versions.items()})


def _clock(match: re.Match[str], first: int) -> str:
    hours, minutes, seconds = match.group(first, first + 1, first + 2)
    return f"{hours}:{minutes}" + (f":{seconds}" if seconds else "")


def parse_clock(text: str) -> time:
    """``"HH:MM"`` or ``"HH:MM:SS"`` as a time (already checked by WINDOW_RE)."""
    return time.fromisoformat(text)


def _windows(f: Fields) -> list[list[str]]:
    out: list[list[str]] = []
    for i, raw in f.items("windows", required=False):
        if isinstance(raw, int):
            f.fail_item("windows", i, refusal(
                "a window must be text in quotes such as \"18:00-23:30\" (unquoted, YAML "
                "reads 18:00 as a number)"))
        if not isinstance(raw, str):
            f.fail_item("windows", i, refusal(
                "a window must be text such as \"18:00-23:30\", got %(raw)r", raw=raw))
        m = WINDOW_RE.fullmatch(raw)
        if not m:
            f.fail_item("windows", i, refusal(
                "window %(raw)r is not HH:MM-HH:MM (24-hour clock, e.g. \"18:00-23:30\" or "
                "\"22:00-02:00\" past midnight)", raw=raw))
        pair = [_clock(m, 1), _clock(m, 4)]
        try:
            Window(parse_clock(pair[0]), parse_clock(pair[1]))
        except ValueError as exc:
            f.fail_item("windows", i, str(exc))
        if pair in out:
            f.fail_item("windows", i, refusal("window %(raw)r is listed twice", raw=raw))
        out.append(pair)
    return out


def _weekdays(f: Fields) -> list[int]:
    if "weekdays" not in f.data:
        return list(range(7))
    days: list[int] = []
    for i, raw in f.items("weekdays"):
        day = WEEKDAYS.get(raw.strip().lower()) if isinstance(raw, str) else None
        if day is None:
            f.fail_item("weekdays", i, refusal("%(raw)r is not a weekday (use %(hint)s)",
                                               raw=raw, hint=WEEKDAY_HINT))
        if day in days:
            f.fail_item("weekdays", i, refusal("weekday %(raw)r is listed twice", raw=raw))
        days.append(day)
    return sorted(days)


def _day(f: Fields, key: str) -> date | None:
    if not f.has(key):
        return None
    raw = f.data[key]
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and DATE_RE.fullmatch(raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    f.fail(key, refusal("%(key)r must be a date like 2026-12-31, got %(raw)r", key=key,
                        raw=raw))


def _days(f: Fields) -> tuple[date | None, date | None]:
    if not f.has("days"):
        return None, None
    days = f.mapping("days")
    days.only(optional=("from", "until"))
    first, last = _day(days, "from"), _day(days, "until")
    if first and last and first > last:
        days.fail("until", refusal("'until' %(last)s is before 'from' %(first)s",
                                   last=str(last), first=str(first)))
    return first, last


def _targets(f: Fields, known: Known, notes: list[str]) -> dict[str, list[str]]:
    t = f.mapping("targets")
    t.only(optional=TARGET_KINDS)
    sites = t.text_list("sites", pattern=ID_RE, required=False, hint=ID_HINT)
    screens = t.text_list("screens", pattern=ID_RE, required=False, hint=ID_HINT)
    tags = t.text_list("tags", pattern=TAG_RE, required=False, hint=TAG_HINT)
    if not (sites or screens or tags):
        t.fail(None, refusal("targets must name at least one site, screen or tag"))
    for key, ids, pool in (("sites", sites, known.sites), ("screens", screens, known.screens)):
        for i, ident in enumerate(ids):
            if ident in pool:
                continue
            t.fail_item(key, i, refusal(
                "unknown site %(id)r (not in the database; import config/sites.yaml first)",
                id=ident) if key == "sites" else refusal(
                "unknown screen %(id)r (not in the database; import config/sites.yaml first)",
                id=ident))
    for tag in tags:
        if tag not in known.tags:
            notes.append(f"{f.where}: no screen has tag {tag!r} yet")
    return {"sites": sites, "screens": screens, "tags": tags}


def parse_entry(f: Fields, known: Known, source: str, notes: list[str]) -> ParsedSchedule:
    """One schedule entry (from the file or a JSON body), checked against ``known``;
    raises YamlError naming the first problem. Completeness is checked apart
    (``completeness_refusal``)."""
    f.only(required=("id", "playlist", "targets"),
           optional=("version", "days", "weekdays", "windows", "priority"))
    slug = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    f.where = refusal("schedule %(schedule)r", schedule=slug)
    playlist = f.text("playlist", pattern=ID_RE, max_len=63, hint=ID_HINT)
    if playlist not in known.versions:
        f.fail("playlist", refusal("unknown playlist %(playlist)r (import playlists/ first)",
                                   playlist=playlist))
    version = None
    if "version" in f.data:
        version = f.data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            f.fail("version", refusal("'version' must be a whole number ≥ 1, got %(version)r",
                                      version=version))
        if version not in known.versions[playlist]:
            have = ", ".join(str(n) for n in sorted(known.versions[playlist])) or \
                refusal("none")
            f.fail("version", refusal(
                "playlist %(playlist)r has no approved version %(version)s (approved "
                "versions: %(have)s); only approved versions go on air", playlist=playlist,
                version=version, have=have))
    elif not known.versions[playlist]:
        f.fail("playlist", refusal(
            "playlist %(playlist)r has no approved version yet; a schedule can only put "
            "approved content on air (docs/review.md)", playlist=playlist))
    priority = 0
    if "priority" in f.data:
        priority = f.data["priority"]
        if isinstance(priority, bool) or not isinstance(priority, int) or not (
                -MAX_PRIORITY <= priority <= MAX_PRIORITY):
            f.fail("priority", refusal(
                "'priority' must be a whole number between -%(most)d and %(most)d, got "
                "%(priority)r", most=MAX_PRIORITY, priority=priority))
    first, last = _days(f)
    values = {
        "playlist_id": playlist, "playlist_version": version,
        "targets": _targets(f, known, notes), "first_day": first, "last_day": last,
        "weekdays": _weekdays(f), "windows": _windows(f), "priority": priority,
        "source": source,
    }
    return ParsedSchedule(slug, f.line(), values)  # type: ignore[arg-type]


def completeness_refusal(row: ParsedSchedule, screens: dict[str, ScreenProfile],
                         items: PlaylistItems) -> str | None:
    """Why a schedule whose playlist version lacks a language of a screen it targets
    (directly, by site or by tag) is refused — naming the screens, items and
    languages — or None when it is complete."""
    values = row.values
    placement = Placement.of(row.slug, values["playlist_id"], values["playlist_version"],
                             values["targets"])
    found = items.of(placement)
    if found is None:  # no version yet: noted, plays nothing
        return None
    targeted = [s for s in screens.values() if placement.reaches(s)]
    return refusal_for_screens(refusal("playlist %(playlist)r", playlist=found[0]),
                               per_screen(found[1], targeted))


def parse_body(session: Session, data: Any, source: str = "api",
               where: str = "request body") -> tuple[ParsedSchedule, list[str]]:
    """One entry sent as JSON (the file's entry format), checked by the file's rules
    against the database, completeness excepted (see ``check_complete``). Returns
    (schedule, notes); raises YamlError (``reason`` says what is wrong)."""
    notes: list[str] = []
    f = Fields(where, data, refusal("schedule"))
    return parse_entry(f, Known.load(session), source, notes), notes


def check_complete(session: Session, row: ParsedSchedule, where: str = "request body"
                   ) -> None:
    """Raise YamlError if ``row``'s playlist lacks a language a targeted screen needs."""
    message = completeness_refusal(row, load_screens(session), PlaylistItems(session))
    if message:
        raise YamlError(where, None, refusal("schedule %(schedule)r: %(refusal)s",
                                             schedule=row.slug, refusal=message))


def parse_schedules(session: Session, path: Path) -> tuple[list[ParsedSchedule], list[str]]:
    """Validate the whole file against the database; return (schedules, notes) or raise
    YamlError."""
    top = config_list(path, "schedules", refusal("file is empty (expected 'schedules:' "
                                                 "with a list)"))
    known = Known.load(session)
    screens = load_screens(session)
    items = PlaylistItems(session)
    notes: list[str] = []
    parsed: list[ParsedSchedule] = []
    seen: dict[str, int | None] = {}
    for i, item in top.items("schedules", required=False, non_empty=False):
        line = line_of(top.data["schedules"], i)
        f = Fields(path, item, label("schedule", item, i), line)
        row = parse_entry(f, known, path.name, notes)
        message = completeness_refusal(row, screens, items)
        if message:
            f.fail("playlist", message)
        if row.slug in seen:
            f.fail("id", refusal("duplicate schedule id %(schedule)r (first on line %(line)s)",
                                 schedule=row.slug, line=seen[row.slug]))
        seen[row.slug] = f.line("id")
        parsed.append(row)
    return parsed, notes


def import_schedules(session: Session, path: Path, bump: bool = True,
                     actor: Actor | None = None) -> ImportReport:
    """Validate ``path`` whole, then upsert its schedules into ``session`` (not
    committed), writing an audit entry per created or changed schedule as ``actor``
    (default: the system). Raises YamlError, changing nothing, if anything is wrong, or
    ReviewError(403) if ``actor`` may not schedule a changed entry. ``bump=False``
    leaves the change counter alone (the caller's transaction bumped it already)."""
    path = Path(path)
    actor = actor or Actor.system()
    parsed, notes = parse_schedules(session, path)
    report = ImportReport(source=str(path), what="schedules", notes=notes)
    existing = {s.slug: s for s in session.scalars(select(Schedule))}
    reach = SiteReach(session)
    touched: list[changes.Scope] = []
    for row in parsed:
        schedule = existing.get(row.slug)
        if schedule is None:
            _check_allowed(session, actor, reach, row.values)
            touched.append(changes.Scope("schedule", str(
                create_schedule(session, actor, row).id)))
            report.created += 1
        elif differs(schedule, row.values):
            _check_allowed(session, actor, reach, entry_values(schedule))
            _check_allowed(session, actor, reach, row.values)
            update_schedule(session, actor, schedule, row)
            touched.append(changes.Scope("schedule", str(schedule.id)))
            report.updated += 1
        else:
            report.unchanged += 1
    report.kept += [f"schedule {slug}" for slug in sorted(set(existing) - {r.slug
                                                                             for r in parsed})]
    report.notes.append(f"{len(parsed)} schedules in the file")
    if report.changed and bump:
        changes.bump(session, *touched)
    session.flush()
    return report


def _check_allowed(session: Session, actor: Actor, reach: SiteReach,
                   values: dict[str, Any]) -> None:
    if actor.is_system:
        return
    playlist = session.get(Playlist, values["playlist_id"])
    if playlist is not None:
        check_schedule(actor, playlist, reach.of(values["targets"]))
