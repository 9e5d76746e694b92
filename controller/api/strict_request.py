"""Malformed requests are refused in one place, with a 400 that says what is wrong.

Werkzeug decodes the parts of a request lazily and not always strictly: under gevent's
WSGI server a raw ``0xFF`` byte in the query string reaches ``request.args`` and raises
``UnicodeDecodeError`` there (werkzeug's ``query_string.decode()``), so did a non-UTF-8
form body, and a deeply nested JSON body raised ``RecursionError``: three 500s from any
route that read them. Which part fails depends on the server and the werkzeug version
(werkzeug's own server re-encodes raw bytes; ``%FF`` became U+FFFD before werkzeug 2.3
and stays ``%FF`` since), so Pano does not rely on any of it:

- ``refuse_malformed_target`` (the app's first ``before_request``) checks the path and
  the query string of every request before any view or extension reads them: UTF-8 after
  percent-decoding, well-formed ``%XX`` escapes, no control characters (no route or
  parameter of Pano has one, and PostgreSQL cannot store NUL);
- ``StrictRequest`` (the app's request class) reads every JSON body through
  ``controller.api.json_body`` (depth bound, UTF-8, RFC 8259), and refuses a form body
  that is not UTF-8 or not well-formed, which werkzeug would otherwise drop silently
  (a login form that "forgot" the user name).

A JSON body that is present but malformed is refused even when a view asked for
``get_json(silent=True)``: silence is for "no JSON was sent" (the view then says what
to send), never for a body that would otherwise be half-understood.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser

from controller.api.json_body import JsonBodyRefused, parse_json_body

_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSET = object()


def _wsgi_bytes(value: str) -> bytes:
    """A WSGI environ string as the bytes the client sent (PEP 3333: latin-1)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # a server that decoded already
        return value.encode("utf-8", "surrogateescape")


def _check(part: str, raw: bytes, escaped: bool) -> str | None:
    """Why ``raw`` (a path or a query string, still percent-encoded if ``escaped``) is
    malformed, or None."""
    bad = _BAD_ESCAPE.search(raw)
    if bad is not None:
        found = raw[bad.start():bad.start() + 3].decode("latin-1")
        return (f"The {part} has a malformed percent-escape {found!r}: '%' must be followed "
                "by two hexadecimal digits (write '%25' for a percent sign).")
    if escaped:
        raw = unquote_to_bytes(raw.replace(b"+", b" ") if part == "query string" else raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"The {part} is not UTF-8 (byte 0x{raw[exc.start]:02x} after "
                "percent-decoding): encode non-ASCII text as UTF-8, then percent-encode it.")
    control = _CONTROL.search(text)
    if control is not None:
        return (f"The {part} contains the control character U+{ord(control.group()):04X}; "
                "no address or parameter of Pano has one.")
    return None


def target_refusal(environ: dict[str, Any]) -> str | None:
    """Why the request's path or query string is malformed, or None when both are fine.
    The raw request target is read where the server passes it (werkzeug's server and
    gunicorn: ``RAW_URI``/``REQUEST_URI``); gevent's passes only ``PATH_INFO``, already
    percent-decoded byte for byte, so there a '%' that does not start an escape is
    refused as well (no address of Pano contains a percent sign)."""
    raw_target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_target:
        path, escaped = _wsgi_bytes(raw_target).split(b"?", 1)[0], True
    else:
        path, escaped = _wsgi_bytes(environ.get("PATH_INFO", "")), False
    return (_check("path", path, escaped)
            or _check("query string", _wsgi_bytes(environ.get("QUERY_STRING", "")), True))


def refuse_malformed_target() -> None:
    reason = target_refusal(request.environ)
    if reason is not None:
        raise BadRequest(reason)


class StrictRequest(Request):
    """Flask's request, with JSON and form bodies decoded strictly (module docstring)."""

    _strict_json: Any = _UNSET

    def get_json(self, force: bool = False, silent: bool = False,
                 cache: bool = True) -> Any:
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        if cache and self._strict_json is not _UNSET:
            return self._strict_json
        data = self.get_data(cache=cache)
        if silent and not data:
            return None  # nothing was sent: the view says what it wanted
        try:
            value = parse_json_body(data)
        except JsonBodyRefused as exc:
            raise BadRequest(str(exc)) from None
        if cache:
            self._strict_json = value
        return value

    def make_form_data_parser(self) -> FormDataParser:
        parser = super().make_form_data_parser()
        parser.silent = False  # werkzeug's default drops a malformed form without a word
        return parser

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except UnicodeDecodeError as exc:
            raise BadRequest(f"The form body is not UTF-8 text (byte "
                             f"0x{exc.object[exc.start]:02x}): send the form encoded as "
                             "UTF-8.") from None
        except ValueError as exc:
            raise BadRequest(f"The form body is malformed ({exc}): send "
                             "application/x-www-form-urlencoded or multipart/form-data as "
                             "a browser does.") from None


def install_strict_input(app: Flask) -> None:
    """Make ``app`` refuse malformed requests (module docstring). Call it before any
    extension registers a ``before_request`` that reads the query or the form."""
    app.request_class = StrictRequest
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_malformed_target)
