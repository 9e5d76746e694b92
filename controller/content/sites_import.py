"""Import ``config/sites.yaml`` (sites and their screens) into the database.

Everything is validated first; then sites and screens are upserted in the caller's
session (the caller commits, so the import is one transaction). Re-importing the same
file changes nothing. Screen credentials are never touched; rows missing from the file
are kept and reported."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller import changes
from controller.cap.places import parse_geocodes, parse_location
from controller.cap.policy import parse_policy
from controller.content import ImportReport, apply_values
from controller.content.assignments import (
    PlaylistItems,
    ScreenProfile,
    load_placements,
    per_screen,
    profile,
)
from controller.content.completeness import refusal_for_screens
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.languages import LanguageConfig
from controller.models import Playlist, Screen, Site, utcnow
from controller.refusals import Refusal, refusal

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ID_HINT = refusal("use 2-63 lowercase letters, digits and '-', starting with a letter or "
                  "digit")
TAG_HINT = refusal("letters, digits, '-', '_', '.', ':'")
LANG_HINT = refusal("use 2-3 letter lowercase codes such as vi, en, lo")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
RESOLUTION_RE = re.compile(r"^(\d{1,5})x(\d{1,5})$")
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
MIN_PIXELS, MAX_PIXELS = 320, 7680
# Names and titles are stored in these two (name_vi, name_en); content languages are
# configured (controller.languages).
REQUIRED_LANGUAGES = ("vi", "en")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

SITE_FIELDS = ("name_vi", "name_en", "names", "timezone", "latitude", "longitude",
               "geocodes", "cap_policy")
SCREEN_FIELDS = ("site_id", "name_vi", "name_en", "orientation", "width", "height",
                 "languages", "bilingual_mode", "alternate_timing", "timezone", "tags",
                 "default_playlist_id")
BILINGUAL_MODES = ("dual", "alternate")
ALTERNATE_TIMINGS = ("split", "repeat")  # player.timeline.ALTERNATE_TIMINGS


@dataclass
class _Row:
    id: str
    values: dict[str, Any]
    line: int | None = None
    layout_line: int | None = None  # a screen's ``layout:`` (its refusal's line)


def _names(f: Fields, key: str) -> tuple[str, str]:
    names = f.mapping(key)
    names.only(required=REQUIRED_LANGUAGES)
    return names.text("vi"), names.text("en")  # type: ignore[return-value]


def _site_names(f: Fields, config: LanguageConfig) -> tuple[str, str, dict[str, str]]:
    """A site's name: Vietnamese and English required, any other configured language
    optional (the slide header of a screen with that language shows it)."""
    names = f.mapping("name")
    for key in names.data:
        reason = config.unknown(str(key))
        if reason:
            names.fail(key, refusal("a name in an %(reason)s", reason=reason))
    more = tuple(code for code in config.codes if code not in REQUIRED_LANGUAGES)
    names.only(required=REQUIRED_LANGUAGES, optional=more)
    extra = {code: names.text(code) for code in more if code in names.data}
    return names.text("vi"), names.text("en"), extra  # type: ignore[return-value]


def _timezone(f: Fields, default: str) -> str:
    tz = f.text("timezone", required=False, max_len=64)
    if tz is None:
        return default
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        f.fail("timezone", refusal("unknown time zone %(tz)r (e.g. Asia/Ho_Chi_Minh)", tz=tz))
    return tz


KINDS = {"screen": refusal("screen"), "site": refusal("site"), "item": refusal("item"),
         "schedule": refusal("schedule"), "agency": refusal("agency")}


def label(kind: str, data: Any, index: int) -> Refusal:
    """``"screen 'x'"`` when the entry has a text id, else ``"screen #3"``."""
    raw = data.get("id") if isinstance(data, dict) else None
    name = KINDS.get(kind, kind)
    return refusal("%(kind)s %(id)r", kind=name, id=raw) if isinstance(raw, str) else \
        refusal("%(kind)s #%(number)d", kind=name, number=index + 1)


def _screen(file: Path, data: Any, index: int, site_id: str, site_tz: str,
            line: int | None, config: LanguageConfig) -> _Row:
    f = Fields(file, data, label("screen", data, index), line)
    f.only(
        required=("id", "name", "orientation", "resolution", "languages", "bilingual_mode"),
        optional=("default_playlist", "tags", "timezone", "alternate_timing", "layout"),
    )
    screen_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    name_vi, name_en = _names(f, "name")
    orientation = f.choice("orientation", ("landscape", "portrait"))
    resolution = f.text("resolution", max_len=11)
    m = RESOLUTION_RE.fullmatch(resolution or "")
    if not m:
        f.fail("resolution", refusal("resolution must be WIDTHxHEIGHT like 1920x1080, got "
                                     "%(got)r", got=resolution))
    width, height = int(m.group(1)), int(m.group(2))
    for value in (width, height):
        if not MIN_PIXELS <= value <= MAX_PIXELS:
            f.fail("resolution", refusal("resolution %(resolution)s is not sane: each side "
                                         "must be %(low)d..%(high)d pixels",
                                         resolution=resolution, low=MIN_PIXELS,
                                         high=MAX_PIXELS))
    if orientation == "landscape" and width < height:
        f.fail("orientation", refusal("orientation is landscape but resolution %(resolution)s "
                                      "is taller than wide", resolution=resolution))
    if orientation == "portrait" and height < width:
        f.fail("orientation", refusal("orientation is portrait but resolution %(resolution)s "
                                      "is wider than tall", resolution=resolution))
    languages = f.text_list("languages", pattern=LANG_RE, max_len=3,
                            hint=LANG_HINT)
    for i, code in enumerate(languages):
        unknown = config.unknown(code)
        if unknown:
            f.fail_item("languages", i, unknown)
    for needed in config.required:
        if needed not in languages:
            f.fail("languages", refusal("languages must include %(needed)r (got %(got)s)",
                                        needed=needed, got=", ".join(languages)))
    bilingual_mode = f.choice("bilingual_mode", BILINGUAL_MODES)
    alternate_timing = f.choice("alternate_timing", ALTERNATE_TIMINGS, default="split")
    if "alternate_timing" in f.data and bilingual_mode != "alternate":
        f.fail("alternate_timing", refusal(
            "alternate_timing applies only to bilingual_mode: alternate (it says how long each "
            "language shows); this screen is %(mode)s, which shows its languages together: "
            "remove alternate_timing or set bilingual_mode: alternate", mode=bilingual_mode))
    default_playlist = f.text("default_playlist", pattern=ID_RE, max_len=63, required=False,
                              hint=ID_HINT)
    tags = f.text_list("tags", pattern=TAG_RE, required=False, non_empty=False,
                       hint=TAG_HINT)
    # Its layout in config/layouts.yaml (docs/zones.md); checked against the stored
    # layouts by ``check_layouts``.
    layout = f.text("layout", pattern=ID_RE, max_len=63, required=False, hint=ID_HINT)
    return _Row(screen_id, {  # type: ignore[arg-type]
        "site_id": site_id, "name_vi": name_vi, "name_en": name_en,
        "orientation": orientation, "width": width, "height": height,
        "languages": languages, "bilingual_mode": bilingual_mode,
        "alternate_timing": alternate_timing,
        "timezone": _timezone(f, site_tz), "tags": tags,
        "default_playlist_id": default_playlist, "layout": layout,
    }, line, f.line("layout") if layout is not None else None)


def parse_sites(path: Path, config: LanguageConfig | None = None
                ) -> tuple[list[_Row], list[_Row]]:
    """Validate the whole file; return (sites, screens) or raise YamlError."""
    config = config or LanguageConfig()
    top = config_list(path, "sites", refusal("file is empty (expected 'sites:' with a "
                                             "list of sites)"))
    sites: list[_Row] = []
    screens: list[_Row] = []
    seen_sites: dict[str, int | None] = {}
    seen_screens: dict[str, int | None] = {}
    for i, site_data in top.items("sites"):
        f = Fields(path, site_data, label("site", site_data, i), line_of(top.data["sites"], i))
        f.only(required=("id", "name", "screens"),
               optional=("timezone", "location", "geocodes", "cap"))
        sid = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
        if sid in seen_sites:
            f.fail("id", refusal("duplicate site id %(site)r (first on line %(line)s)",
                                 site=sid, line=seen_sites[sid]))
        seen_sites[sid] = f.line("id")  # type: ignore[index]
        name_vi, name_en, more = _site_names(f, config)
        tz = _timezone(f, DEFAULT_TIMEZONE)
        latitude, longitude = parse_location(f)  # official warnings (docs/cap.md)
        sites.append(_Row(sid, {"name_vi": name_vi, "name_en": name_en,  # type: ignore[arg-type]
                                "names": more, "timezone": tz, "latitude": latitude,
                                "longitude": longitude, "geocodes": parse_geocodes(f),
                                "cap_policy": parse_policy(f)}))
        for j, screen_data in f.items("screens", non_empty=False):
            item_line = line_of(f.data["screens"], j)
            row = _screen(path, screen_data, j, sid, tz, item_line,  # type: ignore[arg-type]
                          config)
            if row.id in seen_screens:
                raise YamlError(path, item_line, refusal(
                    "duplicate screen id %(screen)r (first on line %(line)s)", screen=row.id,
                    line=seen_screens[row.id]))
            seen_screens[row.id] = item_line
            screens.append(row)
    return sites, screens


def check_layouts(session: Session, path: Path, screens: list[_Row]) -> None:
    """Refuse (at its ``layout:`` line) a screen naming a layout that is not declared
    (config/layouts.yaml, imported before the sites)."""
    from controller.zones.declarations import stored_layouts

    wanted = [row for row in screens if row.values.get("layout")]
    if not wanted:
        return
    known = stored_layouts(session)
    for row in wanted:
        name = row.values["layout"]
        if name not in known:
            if not known:  # e.g. `import --sites` alone into a database without layouts
                raise YamlError(path, row.layout_line or row.line, _screen_refusal(
                    row.id, refusal("layout %(layout)r is not declared: no layout is stored "
                                    "yet; import config/layouts.yaml first (pano-controller "
                                    "import --layouts config/layouts.yaml, or a plain "
                                    "pano-controller import, which reads it)", layout=name)))
            raise YamlError(path, row.layout_line or row.line, _screen_refusal(row.id, refusal(
                "layout %(layout)r is not declared (config/layouts.yaml has: %(known)s)",
                layout=name, known=", ".join(known))))


def check_screens(session: Session, path: Path, screens: list[_Row]) -> None:
    """Refuse (at the screen's line) a screen whose default playlist, or a playlist a
    schedule puts on it, lacks a language of the screen's profile. A default playlist
    not imported yet is fine: the playlists import checks it when it arrives. The
    playlist the screen's layout's ticker scrolls is checked too, at the ``layout:``
    line (``controller.zones.completeness``)."""
    from controller.zones.completeness import screen_ticker_refusal

    if session.scalar(select(Playlist.id).limit(1)) is None:
        return  # no playlist yet: nothing can be incomplete
    items = PlaylistItems(session)
    placements = load_placements(session)
    for row in screens:
        v = row.values
        screen: ScreenProfile = profile(row.id, v["site_id"], v["tags"], v["languages"],
                                        v["default_playlist_id"])
        found = items.current(screen.default_playlist) if screen.default_playlist else None
        if found is not None:
            message = refusal_for_screens(
                refusal("its default playlist %(playlist)r", playlist=found[0]),
                per_screen(found[1], [screen]))
            if message:
                raise YamlError(path, row.line, _screen_refusal(row.id, message))
        for placement in placements:
            found = items.of(placement) if placement.reaches(screen) else None
            if found is not None:
                message = refusal_for_screens(
                    refusal("playlist %(playlist)r (schedule %(schedule)r)",
                            playlist=found[0], schedule=placement.slug),
                    per_screen(found[1], [screen]))
                if message:
                    raise YamlError(path, row.line, _screen_refusal(row.id, message))
        message = screen_ticker_refusal(session, screen, v.get("layout"), items)
        if message:  # the playlist its layout's ticker scrolls (docs/zones.md)
            raise YamlError(path, row.layout_line or row.line, _screen_refusal(row.id,
                                                                               message))


def _screen_refusal(screen_id: str, message: Refusal) -> Refusal:
    return refusal("screen %(screen)r: %(refusal)s", screen=screen_id, refusal=message)


def _upsert(session: Session, model: type[Site] | type[Screen], existing: dict[str, Any],
            rows: list[Any], report: ImportReport) -> list[str]:
    """Create or update ``rows`` (with ``id`` and ``values``), counting into ``report``.
    Returns the ids created or changed."""
    touched: list[str] = []
    for row in rows:
        found = existing.get(row.id)
        if found is None:
            session.add(model(id=row.id, updated_at=utcnow(), **row.values))
            report.created += 1
            touched.append(row.id)
        elif apply_values(found, row.values):
            report.updated += 1
            touched.append(row.id)
        else:
            report.unchanged += 1
    return touched


def import_sites(session: Session, path: Path,
                 languages: LanguageConfig | None = None) -> ImportReport:
    """Validate ``path`` whole, then upsert its sites and screens into ``session``
    (not committed). Raises YamlError, changing nothing, if anything is wrong.
    ``languages``: the configured languages (default: vi, en, fr, lo; vi and en
    required)."""
    path = Path(path)
    sites, screens = parse_sites(path, languages)
    check_layouts(session, path, screens)
    check_screens(session, path, screens)
    report = ImportReport(source=str(path), what="sites and screens")
    existing_sites = {s.id: s for s in session.execute(select(Site)).scalars()}
    existing_screens = {s.id: s for s in session.execute(select(Screen)).scalars()}
    touched = [changes.Scope("site", i) for i in _upsert(session, Site, existing_sites,
                                                         sites, report)]
    session.flush()  # sites before the screens that refer to them
    touched += [changes.Scope("screen", i) for i in _upsert(session, Screen, existing_screens,
                                                            screens, report)]
    file_sites = {r.id for r in sites}
    file_screens = {r.id for r in screens}
    report.kept += [f"site {sid}" for sid in sorted(set(existing_sites) - file_sites)]
    report.kept += [f"screen {sid}" for sid in sorted(set(existing_screens) - file_screens)]
    report.notes.append(f"{len(sites)} sites, {len(screens)} screens in the file")
    if report.changed:
        changes.bump(session, *touched)
    session.flush()
    return report
