"""``config/layouts.yaml``: the screen layouts (docs/zones.md), read and refused like the
other config files (``controller.content.yamlfile``: the file and the line of what is
wrong), stored in ``layouts`` by an import that replaces them as a whole.

A layout is the main area plus, optionally, a **ticker** strip along the top or bottom
edge (its height in percent of the screen's height; the approved text and data items of
a playlist scroll in it, in each of the screen's languages) and a **clock** corner (the
time and date in the site's time zone). Sizes are percentages, so one layout fits every
resolution; ``controller.zones.geometry`` turns them into pixels for a screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from controller import changes
from controller.content import ImportReport
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.models import LayoutRow, Screen, utcnow
from controller.refusals import refusal

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NAME_HINT = "use 2-63 lowercase letters, digits and '-'"
EDGES = ("top", "bottom")
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
MAX_LAYOUTS = 50
TICKER_HEIGHT = (4.0, 20.0)  # percent of the screen's height
CLOCK_WIDTH = (8.0, 40.0)  # percent of the screen's width
CLOCK_HEIGHT = (4.0, 20.0)
SPEED = (2.0, 30.0)  # percent of the screen's width per second
DEFAULT_SPEED = 8.0
DEFAULT_CLOCK_HEIGHT = 9.0
MIN_MAIN = 65.0  # percent of the height the main area keeps at least


@dataclass(frozen=True)
class Ticker:
    edge: str
    height: float  # percent of the screen's height
    playlist: str  # the playlist whose approved text and data items scroll
    speed: float = DEFAULT_SPEED  # percent of the screen's width per second


@dataclass(frozen=True)
class Clock:
    corner: str
    width: float  # percent of the screen's width
    height: float  # percent of the screen's height


@dataclass(frozen=True)
class Layout:
    name: str
    ticker: Ticker | None = None
    clock: Clock | None = None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name}
        if self.ticker is not None:
            t = self.ticker
            doc["ticker"] = {"edge": t.edge, "height": t.height, "playlist": t.playlist,
                             "speed": t.speed}
        if self.clock is not None:
            c = self.clock
            doc["clock"] = {"corner": c.corner, "width": c.width, "height": c.height}
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Layout:
        t, c = doc.get("ticker"), doc.get("clock")
        return cls(str(doc["name"]),
                   Ticker(t["edge"], float(t["height"]), t["playlist"],
                          float(t.get("speed", DEFAULT_SPEED))) if t else None,
                   Clock(c["corner"], float(c["width"]), float(c["height"])) if c else None)

    @property
    def ticker_playlist(self) -> str | None:
        return self.ticker.playlist if self.ticker is not None else None


def _ticker(f: Fields) -> Ticker:
    t = f.mapping("ticker")
    t.only(required=("edge", "height", "playlist"), optional=("speed",))
    speed = t.number("speed", low=SPEED[0], high=SPEED[1]) if "speed" in t.data \
        else DEFAULT_SPEED
    return Ticker(t.choice("edge", EDGES), t.number("height", low=TICKER_HEIGHT[0],
                                                    high=TICKER_HEIGHT[1]),
                  t.text("playlist", pattern=NAME_RE, max_len=63,  # type: ignore[arg-type]
                         hint=NAME_HINT), speed)


def _clock(f: Fields, ticker: Ticker | None) -> Clock:
    c = f.mapping("clock")
    c.only(required=("corner", "width"), optional=("height",))
    corner = c.choice("corner", CORNERS)
    width = c.number("width", low=CLOCK_WIDTH[0], high=CLOCK_WIDTH[1])
    edge = corner.split("-")[0]
    beside = ticker is not None and ticker.edge == edge
    if "height" in c.data:
        height = c.number("height", low=CLOCK_HEIGHT[0], high=CLOCK_HEIGHT[1])
        if beside and ticker is not None and height != ticker.height:
            c.fail("height", refusal(
                "the clock at %(corner)s and the ticker strip share the %(edge)s edge, so "
                "they overlap unless they have the same height: the clock is %(clock)s %% "
                "high, the strip %(strip)s %%; remove the clock's height (it then takes "
                "the strip's) or move the clock to the other edge", corner=corner,
                edge=edge, clock=format(height, "g"), strip=format(ticker.height, "g")))
    else:
        height = ticker.height if beside and ticker is not None else DEFAULT_CLOCK_HEIGHT
    return Clock(corner, width, height)


def _layout(path: Path, data: Any, index: int, line: int | None) -> Layout:
    raw = data.get("name") if isinstance(data, dict) else None
    where = refusal("layout %(name)r", name=raw) if isinstance(raw, str) else \
        refusal("layout #%(number)d", number=index + 1)
    f = Fields(path, data, where, line)
    f.only(required=("name",), optional=("ticker", "clock"))
    name = f.text("name", pattern=NAME_RE, max_len=63, hint=NAME_HINT)
    ticker = _ticker(f) if "ticker" in f.data else None
    clock = _clock(f, ticker) if "clock" in f.data else None
    bands = (ticker.height if ticker else 0.0) + (
        clock.height if clock and not (ticker and clock.corner.startswith(ticker.edge))
        else 0.0)
    if 100.0 - bands < MIN_MAIN:
        raise YamlError(path, f.data.key_lines.get("clock") or line, f.said(refusal(
            "the ticker strip and the clock's band take %(taken)s %% of the screen's "
            "height; the main area must keep at least %(least)s %%: make them lower or put "
            "the clock beside the strip", taken=format(bands, "g"),
            least=format(MIN_MAIN, "g"))))
    return Layout(name, ticker, clock)  # type: ignore[arg-type]


def parse_layouts(path: Path) -> list[Layout]:
    """Validate the whole file; the layouts in order, or YamlError."""
    path = Path(path)
    top = config_list(path, "layouts", refusal("file is empty (expected 'layouts:' with a "
                                               "list of layouts)"))
    out: list[Layout] = []
    seen: dict[str, int | None] = {}
    for i, item in top.items("layouts"):
        line = line_of(top.data["layouts"], i)
        if i >= MAX_LAYOUTS:
            raise YamlError(path, line, refusal("more than %(most)d layouts",
                                                most=MAX_LAYOUTS))
        layout = _layout(path, item, i, line)
        if layout.name in seen:
            raise YamlError(path, line, refusal("duplicate layout name %(name)r (first on "
                                                "line %(line)s)", name=layout.name,
                                                line=seen[layout.name]))
        seen[layout.name] = line
        out.append(layout)
    return out


def import_layouts(session: Session, path: Path) -> ImportReport:
    """Make the stored layouts what ``path`` declares (in ``session``, not committed);
    YamlError, changing nothing, if anything is refused — also a layout a screen still
    uses that the file no longer has. The screens of a changed layout are rebuilt."""
    path = Path(path)
    layouts = parse_layouts(path)
    report = ImportReport(source=str(path), what="screen layouts")
    existing = {row.name: row for row in session.scalars(select(LayoutRow))}
    names = {layout.name for layout in layouts}
    gone = sorted(set(existing) - names)
    if gone:
        using = session.execute(select(Screen.id, Screen.layout)
                                .where(Screen.layout.in_(gone)).order_by(Screen.id)).first()
        if using is not None:
            raise YamlError(path, None, refusal(
                "layout %(name)r is missing from the file but screen %(screen)r uses it: "
                "keep it, or choose another layout for the screen first (sites.yaml)",
                name=using.layout, screen=using.id))
    touched: set[str] = set(gone)
    for position, layout in enumerate(layouts):
        doc = layout.as_json()
        row = existing.get(layout.name)
        if row is None:
            session.add(LayoutRow(name=layout.name, position=position, spec=doc,
                                  updated_at=utcnow()))
            report.created += 1
        elif row.spec != doc or row.position != position:
            if row.spec != doc:
                touched.add(layout.name)
            row.spec, row.position, row.updated_at = doc, position, utcnow()
            report.updated += 1
        else:
            report.unchanged += 1
    for name in gone:
        session.execute(delete(LayoutRow).where(LayoutRow.name == name))
        report.notes.append(f"not in the file, removed: layout {name}")
    if touched:
        screens = session.scalars(select(Screen.id).where(Screen.layout.in_(sorted(touched))))
        scopes = [changes.Scope("screen", sid) for sid in screens]
        if scopes:
            changes.bump(session, *scopes)
    report.notes.append(f"{len(layouts)} layouts in the file")
    session.flush()
    return report


def stored_layouts(session: Session) -> dict[str, Layout]:
    """The imported layouts by name, in the file's order."""
    rows = session.scalars(select(LayoutRow).order_by(LayoutRow.position))
    return {row.name: Layout.from_json(row.spec) for row in rows}
