"""``config/sources.yaml``: the data sources, read with the loader every operator file
goes through (``controller.content.yamlfile``: bounded, line numbers in every refusal)
and imported as a whole (docs/sources.md "Declaring sources").

The file is validated entirely before anything is written; then the caller's session
holds the new set (the caller commits, so an import is one transaction and a refused
file changes nothing). A source whose kind, address or kind options changed starts
afresh (its old snapshot described another feed); a source no longer in the file is
removed with its snapshot, and the report says so. A source added or changed in the
panel or over the API since (``managed_in == "panel"``) is left as it is, whatever the
file says, and the report says that too: restarting ``make run`` or importing again
must not undo an operator's change (``PATCH /api/v1/sources/<id>`` with
``{"managed_in": "file"}`` hands it back to the file). Each source created, changed or
removed is recorded in the audit log (``source.declare`` / ``source.remove``)."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from controller.content import ImportReport
from controller.content.sites_import import ID_HINT, ID_RE, label
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.languages import LanguageConfig
from controller.models import DataSource, DataSourceState, utcnow
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.audit import record
from controller.sources.allowlist import check_url
from controller.sources.records import MAX_RECORDS

KINDS = ("json", "csv", "rss", "atom", "ical", "cap")
# Keys each kind takes besides the common ones (they go to DataSource.options).
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "json": ("records", "updated", "max_records"),
    "csv": ("delimiter", "max_records"),
    "rss": ("max_records",), "atom": ("max_records",),
    "ical": ("window_days", "timezone", "max_records"),
    "cap": (),
}
COMMON = ("id", "kind", "url", "name", "every", "timeout", "deadline", "max_bytes",
          "stale_after", "disabled")
MIN_EVERY, MAX_EVERY = 30, 86_400  # seconds between polls
DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT = 10.0, 0.5, 60.0
MAX_DEADLINE = 120.0
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_BYTES_CEILING = 16 * 1024 * 1024  # the hard ceiling of max_bytes
MAX_STALE = 30 * 86_400
MAX_SOURCES = 200
REQUIRED_NAMES = ("vi", "en")
_DURATION = re.compile(r"^(\d{1,6})\s*(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_PATH_RE = re.compile(r"^[A-Za-z0-9_@$-]+(\.[A-Za-z0-9_@$-]+){0,9}$")


@dataclass
class SourceSpec:
    id: str
    values: dict[str, Any] = field(default_factory=dict)  # DataSource columns
    line: int | None = None


def _seconds(f: Fields, key: str, low: float, high: float, default: float | None) -> float:
    """A duration: a number of seconds, or text such as ``90s``, ``5m``, ``2h``, ``1d``."""
    if key not in f.data:
        if default is None:
            f.fail(None, refusal("missing required key %(key)r", key=key))
        return default  # type: ignore[return-value]
    raw = f.data[key]
    if isinstance(raw, str):
        m = _DURATION.fullmatch(raw.strip())
        if not m:
            f.fail(key, refusal("%(key)r must be a number of seconds or a duration such as "
                                "90s, 5m, 2h or 1d, got %(value)r", key=key, value=raw))
        value = float(int(m.group(1)) * _UNITS[m.group(2)])
        if not low <= value <= high:
            f.fail(key, refusal("%(key)r must be between %(low)s and %(high)s seconds, got "
                                "%(value)r", key=key, low=format(low, "g"),
                                high=format(high, "g"), value=raw))
        return value
    return f.number(key, low=low, high=high)


def _names(f: Fields, config: LanguageConfig) -> dict[str, str]:
    names = f.mapping("name")
    for key in names.data:
        reason = config.unknown(str(key))
        if reason:
            names.fail(key, refusal("a name in an %(reason)s", reason=reason))
    more = tuple(code for code in config.codes if code not in REQUIRED_NAMES)
    names.only(required=REQUIRED_NAMES, optional=more)
    return {code: names.text(code) for code in (*REQUIRED_NAMES, *more)  # type: ignore[misc]
            if code in names.data}


def _options(f: Fields, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "max_records" in f.data:
        out["max_records"] = int(f.number("max_records", low=1, high=MAX_RECORDS))
    if kind == "json":
        for key in ("records", "updated"):
            value = f.text(key, required=False, max_len=200, pattern=_PATH_RE, hint=refusal(
                "a dotted path to a value of the JSON, such as data.arrivals"))
            if value:
                out[key] = value
    elif kind == "csv":
        delimiter = f.text("delimiter", required=False, max_len=1)
        if delimiter is not None:
            if delimiter not in ",;\t|":
                f.fail("delimiter", refusal("'delimiter' must be one of , ; | or a tab"))
            out["delimiter"] = delimiter
    elif kind == "ical":
        if "window_days" in f.data:
            out["window_days"] = int(f.number("window_days", low=1, high=366))
        zone = f.text("timezone", required=False, max_len=64)
        if zone is not None:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                f.fail("timezone", refusal("unknown time zone %(tz)r (e.g. "
                                           "Asia/Ho_Chi_Minh)", tz=zone))
            out["timezone"] = zone
    return out


def _source(path: Path, data: Any, index: int, line: int | None, config: LanguageConfig,
            domains: tuple[str, ...]) -> SourceSpec:
    f = Fields(path, data, label("source", data, index), line)
    kind = f.choice("kind", KINDS) if "kind" in f.data else None
    f.only(required=("id", "kind", "url", "name", "every"),
           optional=tuple(k for k in COMMON if k not in ("id", "kind", "url", "name", "every"))
           + KIND_OPTIONS.get(kind or "", ()))
    source_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    url = f.text("url", max_len=2000)
    why = check_url(url or "", domains)
    if why is not None:
        f.fail("url", refusal("'url' %(url)s is not allowed: %(why)s", url=url, why=why))
    every = _seconds(f, "every", MIN_EVERY, MAX_EVERY, None)
    timeout = _seconds(f, "timeout", MIN_TIMEOUT, MAX_TIMEOUT, DEFAULT_TIMEOUT)
    deadline = _seconds(f, "deadline", timeout, MAX_DEADLINE,
                        min(3 * timeout, MAX_DEADLINE))
    stale_after = _seconds(f, "stale_after", every, MAX_STALE, min(3 * every, MAX_STALE))
    max_bytes = int(f.number("max_bytes", low=1024, high=MAX_BYTES_CEILING)
                    if "max_bytes" in f.data else DEFAULT_MAX_BYTES)
    options = _options(f, kind or "")
    options["deadline"] = deadline
    if "disabled" in f.data:  # kept, not fetched (the panel's "Disable")
        if not isinstance(f.data["disabled"], bool):
            f.fail("disabled", refusal("disabled must be true or false, got %(value)r",
                                       value=str(f.data["disabled"])[:40]))
        if f.data["disabled"]:
            options["disabled"] = True
    return SourceSpec(source_id, {  # type: ignore[arg-type]
        "kind": kind, "url": url, "every_s": int(every), "timeout_s": timeout,
        "max_bytes": max_bytes, "stale_after_s": int(stale_after),
        "names": _names(f, config), "options": options}, line)


def parse_source(where: str, data: Any, domains: tuple[str, ...],
                 config: LanguageConfig | None = None) -> SourceSpec:
    """One source given as the file writes it (the API's body, ``where`` naming it in
    refusals): the same checks as an entry of the file, or YamlError."""
    return _source(Path(where), data, 0, None, config or LanguageConfig(), domains)


def parse_sources(path: Path, domains: tuple[str, ...],
                  config: LanguageConfig | None = None) -> list[SourceSpec]:
    """Validate the whole file; the sources in order, or YamlError."""
    config = config or LanguageConfig()
    top = config_list(path, "sources", refusal("file is empty (expected 'sources:' with "
                                               "a list of sources)"))
    out: list[SourceSpec] = []
    seen: dict[str, int | None] = {}
    for i, item in top.items("sources", non_empty=False):
        line = line_of(top.data["sources"], i)
        if i >= MAX_SOURCES:
            raise YamlError(path, line, refusal("more than %(most)d sources; the controller "
                                                "polls at most that many", most=MAX_SOURCES))
        spec = _source(path, item, i, line, config, domains)
        if spec.id in seen:
            raise YamlError(path, line, refusal("duplicate source id %(id)r (first on line "
                                                "%(line)s)", id=spec.id, line=seen[spec.id]))
        seen[spec.id] = line
        spec.values["position"] = i
        out.append(spec)
    return out


RESTART_ON = ("kind", "url", "options")  # a change of these starts the source afresh


def _restarts(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether the change starts the source afresh (disabling or enabling it does not)."""
    def plain(values: dict[str, Any]) -> dict[str, Any]:
        options = {k: v for k, v in (values.get("options") or {}).items() if k != "disabled"}
        return {**values, "options": options}
    return any(plain(before)[name] != plain(after)[name] for name in RESTART_ON)


def store_spec(session: Session, spec: SourceSpec, row: DataSource | None,
               actor: Actor) -> str:
    """Make the stored source ``spec.id`` (``row``, None when new) what ``spec``
    declares, audited: ``"created"``, ``"updated"`` or ``"unchanged"``. Shared by the
    file's import and the API (``POST``/``PATCH /api/v1/sources``)."""
    if row is None:
        session.add(DataSource(id=spec.id, updated_at=utcnow(), **spec.values))
        session.add(DataSourceState(source_id=spec.id, status="pending", failures=0))
        record(session, actor, "source.declare", "data_source", spec.id,
               after=_shown(spec.values))
        return "created"
    before = {name: getattr(row, name) for name in spec.values}
    if before == spec.values:
        return "unchanged"
    restart = _restarts(before, spec.values)
    for name, value in spec.values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    if restart:
        session.execute(delete(DataSourceState).where(DataSourceState.source_id == row.id))
        session.add(DataSourceState(source_id=row.id, status="pending", failures=0))
    record(session, actor, "source.declare", "data_source", spec.id,
           before=_shown(before), after=_shown(spec.values))
    return "updated"


def import_sources(session: Session, path: Path, domains: tuple[str, ...],
                   languages: LanguageConfig | None = None,
                   actor: Actor | None = None) -> ImportReport:
    """Validate ``path`` whole, then make the stored sources what it declares (in
    ``session``, not committed). Raises YamlError, changing nothing, if anything is
    wrong. ``domains``: the setting ``source_allowed_domains``."""
    path = Path(path)
    specs = parse_sources(path, domains, languages)
    actor = actor or Actor.system()
    report = ImportReport(source=str(path), what="data sources")
    existing = {s.id: s for s in session.scalars(select(DataSource))}
    in_panel = {sid for sid, row in existing.items() if row.managed_in == "panel"}
    for spec in specs:
        if spec.id in in_panel:
            report.unchanged += 1
            report.notes.append(f"source {spec.id} is managed in the panel (changed there "
                                "since it was imported): the file's entry is not applied")
            continue
        outcome = store_spec(session, spec, existing.get(spec.id), actor)
        setattr(report, outcome, getattr(report, outcome) + 1)
    gone = sorted(set(existing) - {s.id for s in specs} - in_panel)
    for source_id in sorted(in_panel - {s.id for s in specs}):
        report.notes.append(f"source {source_id} was added in the panel: kept")
    for source_id in gone:
        session.execute(delete(DataSourceState).where(DataSourceState.source_id == source_id))
        session.delete(existing[source_id])
        record(session, actor, "source.remove", "data_source", source_id,
               before={"url": existing[source_id].url, "kind": existing[source_id].kind})
        report.notes.append(f"not in the file, removed with its data: source {source_id}")
    report.notes.append(f"{len(specs)} sources in the file")
    session.flush()
    return report


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    shown = {k: values[k] for k in ("kind", "url", "every_s", "stale_after_s", "max_bytes")
             if k in values}
    if (values.get("options") or {}).get("disabled"):
        shown["disabled"] = True
    return shown
