"""The panel's Vietnamese catalogues: keep them complete and compiled.

    python -m controller.panel.catalogs update    # add new message ids, drop unused ones
    python -m controller.panel.catalogs compile   # .po -> .mo (also: make translations)
    python -m controller.panel.catalogs check     # what is untranslated or not compiled
    python -m controller.panel.catalogs fill AREA FILE.json  # set msgstrs from
                                                  # {"English id": "Vietnamese"}

Each command also covers the API's refusals (``controller/refusals``, AREA
``refusals`` for ``fill``), the sentences the API answers people with.

Each area (``controller/panel/<area>/``) has its own catalogue with the messages of its
Python files and templates; the base catalogue (``controller/panel/translations``) has
those of the files directly in ``controller/panel/``. Message ids are English; the test
suite runs ``check`` so that no panel string reaches a Vietnamese user untranslated."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from controller.panel import i18n
from controller.refusals import catalog as refusals

ROOT = Path(__file__).parent
LOCALE = "vi"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def areas() -> list[Path]:
    """The folders Flask-Babel reads catalogues from (under ``ROOT``, which a test may
    point elsewhere)."""
    return i18n.areas(ROOT)


def po_path(area: Path) -> Path:
    return area / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def extracted(area: Path) -> dict[str, list[str]]:
    """Message id -> where it is used, for one area (the base skips the areas)."""
    sub_areas = {p.name for p in areas() if p != ROOT}

    def keep(dirname: str) -> bool:
        rel = Path(dirname).relative_to(area) if Path(dirname).is_absolute() else Path(dirname)
        return not (area == ROOT and rel.parts and rel.parts[0] in sub_areas) \
            and "__pycache__" not in rel.parts

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            area, METHODS, OPTIONS, keywords=KEYWORDS, directory_filter=keep):
        ids = message if isinstance(message, tuple) else (message,)
        found.setdefault(ids[0], []).append(f"{filename}:{lineno}")
    return found


def _read(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale=LOCALE, domain="messages")
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE)


def update() -> None:
    for area in areas():
        path = po_path(area)
        catalog = _read(path)
        used = extracted(area)
        for message in list(catalog):
            if message.id and message.id not in used:  # no longer in any file
                catalog.delete(message.id)
        for msgid, places in used.items():
            if msgid not in catalog:
                catalog.add(msgid, "", locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1]))
                                                  for p in places])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
        print(f"{path.relative_to(ROOT.parent.parent)}: {len(catalog)} messages")


def fill(area_name: str, mapping: dict[str, str]) -> None:
    """Set the Vietnamese of the given message ids in one area's catalogue ("base" is
    the base catalogue); ids not used by the area are refused."""
    area = ROOT if area_name == "base" else ROOT / area_name
    path = po_path(area)
    catalog = _read(path)
    refusals.translate(catalog, mapping, path)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def compile_all() -> None:
    for area in areas():
        path = po_path(area)
        if not path.exists():
            continue
        with path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, _read(path))


def problems() -> list[str]:
    """Untranslated, fuzzy or uncompiled messages, one sentence each."""
    found: list[str] = []
    base = _read(po_path(ROOT))

    def translated(catalog: Catalog, msgid: str) -> bool:
        message = catalog.get(msgid)
        return message is not None and bool(message.string) and not message.fuzzy

    for area in areas():
        path = po_path(area)
        catalog = _read(path)
        for msgid, places in extracted(area).items():
            # Flask-Babel merges the catalogues: the base one serves every area.
            if not translated(catalog, msgid) and not translated(base, msgid):
                found.append(f"{path.relative_to(ROOT)}: no Vietnamese for {msgid!r} "
                             f"(used at {places[0]})")
        mo = path.with_suffix(".mo")
        if path.exists():
            if not mo.exists():
                found.append(f"{mo.relative_to(ROOT)} missing: run make translations")
                continue
            with mo.open("rb") as fh:
                compiled = {m.id: m.string for m in read_mo(fh) if m.id}
            wanted = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
            if compiled != wanted:
                found.append(f"{mo.relative_to(ROOT)} is out of date: run make translations")
    return found + clashes()


def clashes() -> list[str]:
    """One English id translated two ways in two catalogues: Flask-Babel merges them, so
    one area would show the other's words ("Identify" was "Nhận diện" on the Screens
    page and "Nhận diện màn hình" in Replay, and the Screens page got the latter)."""
    seen: dict[str, tuple[str, Path]] = {}
    found: list[str] = []
    for area in [ROOT, *areas()]:
        path = po_path(area)
        if not path.exists():
            continue
        for message in _read(path):
            if not message.id or not message.string or message.fuzzy:
                continue
            msgid = str(message.id)
            first = seen.setdefault(msgid, (str(message.string), path))
            if first[0] != message.string:
                found.append(f"{msgid!r} is {first[0]!r} in {first[1].relative_to(ROOT)} but "
                             f"{message.string!r} in {path.relative_to(ROOT)}: the panel "
                             "merges catalogues, use one translation or another English id")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        refusals.update()
    elif command == "fill" and len(argv) == 3:
        import json

        mapping = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        if argv[1] == "refusals":
            refusals.fill(mapping)
        else:
            fill(argv[1], mapping)
    elif command == "compile":
        compile_all()
        refusals.compile_catalog()
    elif command == "check":
        issues = problems() + refusals.problems()
        print("\n".join(issues) or "all panel messages translated and compiled")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
