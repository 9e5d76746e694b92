"""An alert's texts as an emergency's messages: one ``{title, body}`` per Pano language
the alert carries, within the limits ``POST /api/v1/emergencies`` enforces
(:mod:`controller.emergencies.request`), so a person completing a draft never has to
shorten what the agency wrote just to get past the validator.

Title: the info's ``headline``, else its ``event``, on one line. Body: ``description``,
a blank line, ``instruction``. Characters the text rule refuses (controls, bidirectional
overrides; :mod:`controller.content.text_rule`) are dropped, runs of blanks folded, and a
text over its limit is cut at a word and ends with "…"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from controller.cap.message import Info
from controller.content.text_rule import BIDI_CONTROLS
from controller.emergencies.request import MAX_BODY, MAX_TITLE

_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")
ELLIPSIS = "…"


def clean(text: str, multiline: bool) -> str:
    text = _REFUSED.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n")
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trim(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a word with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def message_of(info: Info) -> dict[str, str]:
    title = trim(clean(info.headline or info.event, multiline=False), MAX_TITLE)
    parts = [clean(part, multiline=True) for part in (info.description, info.instruction)]
    body = trim("\n\n".join(part for part in parts if part), MAX_BODY)
    return {"title": title, "body": body}


def messages_of(infos: Iterable[Info]) -> dict[str, dict[str, str]]:
    """Per Pano language, the first info in it (an info in a language Pano does not
    have is left out)."""
    out: dict[str, dict[str, str]] = {}
    for info in infos:
        if info.lang is not None and info.lang not in out:
            message = message_of(info)
            if message["title"]:
                out[info.lang] = message
    return out
