"""Which characters an operator's text may hold: one rule for every text that reaches a
screen or a reviewer — playlist titles, item titles, bodies and links in every language,
emergency messages, screen, site and agency names, rejection reasons.

Refused, because they are invisible and change what is shown or how it reads, so a
slide could say something other than what the reviewer read and approved:

- **bidirectional controls**: the embeddings and overrides U+202A–U+202E (U+202E can
  show ``ĐÓNG CỬA`` for a text stored backwards), the isolates U+2066–U+2069, and the
  marks U+200E, U+200F and U+061C. Pano's languages (Vietnamese, English, Lao, and any
  left-to-right language a site adds) never need them; a right-to-left language would
  need the marks, and this rule is the place to allow them then, never the overrides;
- **control characters**: C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). A
  multi-line text (a body, a reason) may hold TAB, LF and CR; a one-line text (a title, a
  name, a link) none of them. NUL cannot even be stored by PostgreSQL;
- **lone surrogates** (U+D800–U+DFFF): a JSON ``\\ud800`` escape gives one; it is half
  of a UTF-16 pair, not a character, and cannot be written out as UTF-8.

Everything else is allowed: zero-width joiners (emoji, some scripts), every script.
``text_refusal`` says what is wrong in a sentence that names the character as U+XXXX;
callers prefix the field and the language (``Fields.text`` in YAML files and the API's
JSON bodies, ``controller.emergencies.request``, ``controller.api.agencies``,
``controller.review.workflow.reject``). The panel shows the API's sentence (its editor
asks ``POST /api/v1/playlists/check`` as the person types). The clause is a refusal
(``controller.refusals``), said in the caller's language; the character's Unicode name
is data and stays as the standard writes it.
"""

from __future__ import annotations

import re
import unicodedata

from controller.refusals import Refusal, refusal

__all__ = ["BIDI_CONTROLS", "text_refusal"]

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS + "\ud800-\udfff"
_ONE_LINE = re.compile(f"[{_ALWAYS}\t\n\r]")
_MULTI_LINE = re.compile(f"[{_ALWAYS}]")
_CONTROL_NAMES = {0x00: "NULL", 0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN",
                  0x1B: "ESCAPE", 0x7F: "DELETE"}


def _describe(char: str) -> str:
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    if not name:
        name = "C1 CONTROL" if 0x80 <= code <= 0x9F else (
            "CONTROL" if code < 0x20 else "SURROGATE")
    return f"U+{code:04X} ({name})"


def text_refusal(text: str, multiline: bool = False) -> Refusal | None:
    """Why ``text`` may not be shown (a clause: "contains U+202E (RIGHT-TO-LEFT
    OVERRIDE) at character 7, …"), or None when it may. ``multiline``: TAB, LF and CR
    are allowed (bodies and reasons), else they are refused too (titles, names, links)."""
    found = (_MULTI_LINE if multiline else _ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    if char in BIDI_CONTROLS:
        why = refusal("an invisible bidirectional control that can make a slide say "
                      "something other than what the reviewer read")
    elif "\ud800" <= char <= "\udfff":
        why = refusal("half of a UTF-16 surrogate pair, not a character")
    elif char in "\t\n\r":
        why = refusal("a line break or tab, and this text is one line")
    else:
        why = refusal("an invisible control character that can make a slide say something "
                      "other than what the reviewer read")
    return refusal("contains %(char)s at character %(position)d, %(why)s: remove it",
                   char=_describe(char), position=found.start() + 1, why=why)
