"""The refusals' Vietnamese catalogue: every ``refusal("…")`` template, extracted from
the controller's code, must have a translation, compiled.

``python -m controller.panel.catalogs update|compile|check`` runs :func:`update`,
:func:`compile_catalog` and :func:`problems` after the panel's, so one command keeps
both complete and ``make test`` fails on a refusal nobody translated. What answers
machines is not extracted: the player routes and ``controller.players`` answer screens
in English (docs/protocol.md); the panel has its own catalogues.

One file of ``controller.players`` is extracted all the same (``EXTRACTED_ANYWAY``):
``players/commands.py``, whose command validation and "screen is offline" sentences
answer *people* sending a remote command (``POST /api/v1/screens/<id>/commands``, the
panel). Its sentences for the player (a refused screenshot upload) stay plain English
strings, not refusals, so nothing meant for a machine enters the catalogue. The rest of
the package stays excluded as a whole, so that player-facing code cannot start speaking
Vietnamese to a screen by accident."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from controller.refusals import DIRECTORY, DOMAIN

SOURCE = Path(__file__).parent.parent  # controller/
LOCALE = "vi"
KEYWORDS = {"refusal": None}
# Folders and files whose sentences are not extracted: machines' answers, the panel.
NOT_EXTRACTED = ("panel", "players", "api/player_routes.py", "refusals")
# Files inside those folders that answer people all the same (see the docstring).
EXTRACTED_ANYWAY = ("players/commands.py",)


def po_path() -> Path:
    return DIRECTORY / LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"


def _keep(dirname: str) -> bool:
    rel = Path(dirname).relative_to(SOURCE).as_posix() if Path(dirname).is_absolute() \
        else Path(dirname).as_posix()
    if "__pycache__" in rel:
        return False
    return not rel.startswith(NOT_EXTRACTED) or any(
        kept.startswith(rel + "/") for kept in EXTRACTED_ANYWAY)


def _extracted_file(filename: str) -> bool:
    return filename in EXTRACTED_ANYWAY or not filename.startswith(NOT_EXTRACTED)


def extracted() -> dict[str, list[str]]:
    """Template -> where it is used (``file:line``)."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            SOURCE, [("**.py", "python")], keywords=KEYWORDS, directory_filter=_keep):
        if not _extracted_file(filename):
            continue
        template = message[0] if isinstance(message, tuple) else message
        if template:
            found.setdefault(template, []).append(f"{filename}:{lineno}")
    return found


def read() -> Catalog:
    path = po_path()
    if not path.exists():
        return Catalog(locale=LOCALE, domain=DOMAIN)
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE, domain=DOMAIN)


def write(catalog: Catalog) -> None:
    path = po_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def update() -> None:
    """Add the new templates (untranslated), drop those no code says any more."""
    catalog, used = read(), extracted()
    for message in list(catalog):
        if message.id and message.id not in used:
            catalog.delete(message.id)
    for template, places in used.items():
        if template not in catalog:
            catalog.add(template, "", flags=["python-format"] if "%" in template else (),
                        locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1]))
                                   for p in places])
    write(catalog)
    print(f"{po_path().relative_to(SOURCE.parent)}: {len(catalog)} refusals")


def translate(catalog: Catalog, mapping: dict[str, str], path: Path) -> None:
    """Set the translations of the given ids in ``catalog`` (read from ``path``); ids
    it does not have are refused. The panel's ``catalogs fill`` uses it too."""
    unknown = [msgid for msgid in mapping if msgid not in catalog]
    if unknown:
        raise SystemExit(f"not in {path}: {unknown} (run update first)")
    for msgid, text in mapping.items():
        catalog[msgid].string = text
        catalog[msgid].flags.discard("fuzzy")


def fill(mapping: dict[str, str]) -> None:
    """Set the Vietnamese of the given templates (unknown ones are refused)."""
    catalog = read()
    translate(catalog, mapping, po_path())
    write(catalog)


def compile_catalog() -> None:
    with po_path().with_suffix(".mo").open("wb") as fh:
        write_mo(fh, read())


def problems() -> list[str]:
    """Untranslated templates, translations whose placeholders differ from the
    template's, and a stale ``.mo``: one sentence each."""
    found: list[str] = []
    catalog = read()
    for template, places in extracted().items():
        message = catalog.get(template)
        if message is None or not message.string or message.fuzzy:
            found.append(f"refusals.po: no Vietnamese for {template!r} (used at {places[0]})")
        elif _placeholders(message.string) != _placeholders(template):
            found.append(f"refusals.po: the Vietnamese of {template!r} does not use the "
                         f"same %(name)s placeholders")
    mo = po_path().with_suffix(".mo")
    if not mo.exists():
        return [*found, "refusals.mo missing: run make translations"]
    with mo.open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    wanted = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    if compiled != wanted:
        found.append("refusals.mo is out of date: run make translations")
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[srd]", text))
