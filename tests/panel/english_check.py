"""Finding English a person reads on a Vietnamese panel page (issue 16, point 9).

``english_on(page, content)`` gathers every text a person reads on the page as it is
now — visible text, and the ``title``, ``placeholder``, ``aria-label`` and ``alt`` words
of visible elements (the options of a select too) — and returns the pieces that are
English:

- a piece equal to an English message id of the panel's catalogues (or of the API's
  refusals) whose Vietnamese differs: a string the page forgot to translate;
- a piece with English words no Vietnamese sentence has ("the", "of", "failed",
  "null", …) or a snake_case name ("in_review", "scope_sites"): text that was never in
  a catalogue at all (a player's answer, a field name, a raw value).

Not English by this check: what the page marks as another language (an element with
``lang`` other than vi, like the language switch's "English"), technical ids (``code``,
``pre``, ``.mono``), and the content people wrote, which the panel shows as written
with its English variant second (``content`` — every English name, title and text of
the database — is removed from a piece before it is judged)."""

from __future__ import annotations

import re
from typing import Any

from babel.messages.pofile import read_po
from sqlalchemy import text

from controller.panel import catalogs
from controller.refusals import catalog as refusals

# Whole words that do not occur in Vietnamese text (compared in lower case).
ENGLISH_WORDS = frozenset("""
the of and is are was were for with from this that these those has have been not
null true false none undefined nan failed done sent showing seconds screen screens
version versions playlist playlists draft approved rejected archived review please
cannot could should would which while when where there their your you unknown
error warning timeline item items name names title body caption state role
""".split())
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
# File paths, addresses, file names and ids ("item-1", "welcome-hue@2") are technical.
PATH = re.compile(r"\S*[/\\]\S*|\S+\.(?:ya?ml|json|jpe?g|png|mp4|webm|pdf|csv)\b"
                  r"|\b\w+(?:-\w+)+(?:@\d+)?\b|\b\w+@\d+\b")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")

# Every piece of text a person reads, with the element's outline for the report.
GATHER = """() => {
  const skip = (el) => el.closest("script, style, code, pre, kbd, samp, .mono, [hidden]")
    || (el.closest("[lang]") && !el.closest("[lang]").getAttribute("lang").startsWith("vi"));
  const seen = (el) => el.checkVisibility ? el.checkVisibility() : !!el.offsetParent;
  const where = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const words = node.textContent.trim();
    if (!words || !el || skip(el)) continue;
    if (!seen(el) && !el.closest("select")) continue;
    out.push([words, where(el)]);
  }
  const labelled = "[title], [placeholder], [aria-label], img[alt]";
  for (const el of document.body.querySelectorAll(labelled)) {
    if (skip(el) || !seen(el)) continue;
    for (const attr of ["title", "placeholder", "aria-label", "alt"]) {
      const words = (el.getAttribute(attr) || "").trim();
      if (words) out.push([words, where(el) + "@" + attr]);
    }
  }
  return out;
}"""


def _catalog_ids() -> set[str]:
    """English ids whose Vietnamese is different: seeing the id means no translation."""
    ids: set[str] = set()
    paths = [catalogs.po_path(a) for a in catalogs.areas()] + [refusals.po_path()]
    for path in paths:
        if not path.exists():
            continue
        with path.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if message.id and isinstance(message.id, str) and message.string \
                        and message.string != message.id and WORD.search(message.id):
                    ids.add(message.id)
    return ids


CATALOG_IDS = _catalog_ids()
# An id with placeholders matches the sentence with any values in their places, as
# long as its fixed words have English in them ("%(count)s online", not "%(a)s · %(b)s").
CATALOG_PATTERNS = [
    re.compile("^" + ".+?".join(re.escape(part) for part in PLACEHOLDER.split(i)) + "$")
    for i in CATALOG_IDS
    if PLACEHOLDER.search(i) and WORD.search(PLACEHOLDER.sub("", i))]

# English content the panel shows as written: names, titles and texts people wrote.
CONTENT_QUERIES = [
    "SELECT name_en FROM sites", "SELECT names FROM sites", "SELECT name_en FROM screens",
    "SELECT name_en FROM agencies", "SELECT title_en FROM playlists",
    "SELECT items FROM playlist_versions", "SELECT rejection_reason FROM playlist_versions",
    "SELECT messages FROM emergencies", "SELECT url FROM emergencies",
    "SELECT messages FROM emergency_drafts", "SELECT event FROM emergency_drafts",
    "SELECT names FROM data_sources", "SELECT original_name FROM media",
    "SELECT original_name FROM media_uploads", "SELECT ack_note FROM alert_incidents",
    "SELECT note FROM audit_entries",
]


def _strings(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        if value.startswith(("{", "[")):
            try:
                import json

                _strings(json.loads(value), out)
                return
            except ValueError:
                pass
        if len(value.strip()) >= 3:
            out.add(value.strip())
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)


def content_of(fleet: Any) -> list[str]:
    """Every English (or other) text people wrote in the database, longest first."""
    found: set[str] = set()
    with fleet.sessions() as session:
        for query in CONTENT_QUERIES:
            for (value,) in session.execute(text(query)):
                _strings(value, found)
    return sorted(found, key=len, reverse=True)


def judge(words: str, content: list[str]) -> str | None:
    """Why ``words`` is English on a Vietnamese page, or None."""
    rest = words
    for piece in content:
        if piece in rest:
            rest = rest.replace(piece, " ")
    if not WORD.search(rest):
        return None
    if rest.strip() in CATALOG_IDS or any(p.match(rest.strip()) for p in CATALOG_PATTERNS):
        return "an English message id shown untranslated"
    rest = PATH.sub(" ", rest)
    snake = SNAKE.search(rest)
    if snake:
        return f"a field name or raw value ({snake.group(0)!r})"
    english = [w for w in WORD.findall(rest) if w.lower() in ENGLISH_WORDS]
    if english:
        return f"English words ({', '.join(english[:4])})"
    return None


def english_on(page: Any, content: list[str]) -> list[str]:
    """The English pieces of ``page`` as it is now: "where: text (why)"."""
    found = []
    for words, where in page.evaluate(GATHER):
        why = judge(words, content)
        if why:
            found.append(f"{where}: {words[:160]!r} ({why})")
    return sorted(set(found))
