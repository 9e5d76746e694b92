"""JSON request bodies, bounded before they are parsed.

Python's ``json`` parser recurses once per ``[`` or ``{``: 30,000 of them (60 KB) raise
``RecursionError`` deep inside it. ``parse_json_body`` therefore measures the nesting
first, in one linear pass that cannot recurse, and refuses a body deeper than
``MAX_JSON_DEPTH`` before the parser sees it. It also insists on what RFC 8259 says JSON
exchanged between systems is: UTF-8 text, no ``NaN`` or ``Infinity``, strings of
characters (no lone ``\ud800`` surrogate escape, which could not be written out again).
Every refusal is a ``JsonBodyRefused`` whose text is the sentence the client reads.

The bound is the one the operator-written YAML files have (``yamlfile.MAX_DEPTH``, 32):
the API's bodies are the same documents as JSON, and the deepest of them (a playlist:
items → item → variants → language → field) needs five levels.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, NoReturn

from controller.content.yamlfile import MAX_DEPTH as MAX_JSON_DEPTH

__all__ = ["MAX_JSON_DEPTH", "JsonBodyRefused", "nesting_depth", "parse_json_body"]

# A JSON string (escapes included) or one bracket. A string always matches once its
# opening quote is found: it ends at its closing quote or at the end of the text (an
# unterminated string, which the parser refuses afterwards), and the possessive
# quantifiers never backtrack. So the pass is linear, even for a body made of quotes.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonBodyRefused(ValueError):
    """A body that is not acceptable JSON; ``str()`` says why and what to send."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (``0`` for a scalar, ``1`` for
    ``[]``), ignoring brackets inside strings. Linear in ``len(text)``; no recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _refuse(message: str) -> NoReturn:
    raise JsonBodyRefused(message)


def _no_constant(name: str) -> NoReturn:
    _refuse(f"The JSON body contains {name}, which is not JSON (RFC 8259): send a number "
            "or null.")


def parse_json_body(data: bytes) -> Any:
    """The value of one JSON body; ``JsonBodyRefused`` when it is empty, not UTF-8,
    nested deeper than ``MAX_JSON_DEPTH`` or not valid JSON."""
    if not data.strip():
        _refuse("The body is empty: send one JSON value (Content-Type: application/json).")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse(f"The JSON body is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}): send JSON encoded as UTF-8.")
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        _refuse(f"The JSON body nests arrays and objects {depth} levels deep; the limit is "
                f"{MAX_JSON_DEPTH}. Pano's documents need a handful: send a flatter body.")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except JsonBodyRefused:
        raise
    except json.JSONDecodeError as exc:
        _refuse(f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column "
                f"{exc.colno}). Send one JSON body (Content-Type: application/json).")
    except ValueError:  # the only other one: an integer of more than 4,300 digits
        _refuse("The JSON body holds a number with more than 4,300 digits, more than any "
                "field of Pano takes: send a shorter number.")
    if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(value):
        _refuse("The JSON body holds a lone surrogate escape (\\ud800 to \\udfff without "
                "its other half), which is not a character: send the character itself.")
    return value


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether a string (key or value) anywhere in ``value`` holds U+D800–U+DFFF: a
    ``\\ud83d`` escape without its pair decodes to one, and it cannot be written out as
    UTF-8 again. Iterative; ``value`` is at most ``MAX_JSON_DEPTH`` deep anyway."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
