"""Security headers on every answer of the controller: panel pages, the API, media
files, the QR short links and the landing page.

- **Pages** (``text/html``) get ``PAGE_POLICY``: scripts, styles, images and connections
  from this controller only. No inline script or style attribute runs, so text that
  slipped past escaping still cannot act; the panel's pages are built for that (no
  ``onclick=``, no ``<style>``, styles set through the CSSOM by ``Pano.el``), and
  ``tests/panel/test_content_security_policy.py`` loads each one in Chromium and fails
  on any violation. ``connect-src 'self'`` also admits the page's own Socket.IO
  WebSocket (``ws:``/``wss:`` on the same host, CSP level 3).
- **Everything else** (JSON, media, scripts, images) gets ``RESOURCE_POLICY``: nothing
  may load from it and it is sandboxed, so an uploaded file opened on its own cannot run
  anything either.
- Every answer: ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'`` (no page of
  Pano may be framed: clickjacking), ``X-Content-Type-Options: nosniff`` (a file is what
  its ``Content-Type`` says), ``Referrer-Policy: same-origin`` (addresses of the panel —
  playlist ids, searches — never reach other sites). A route may set a stricter
  referrer policy itself: the QR short links answer ``no-referrer`` so the official page
  a traveller lands on never learns the short code (which names the screen and item).
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",  # blob: the fleet page's screenshots, fetched then shown
    "media-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers of the module docstring; a header the route set wins."""
    policy = PAGE_POLICY if response.mimetype == "text/html" else RESOURCE_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in COMMON.items():
        response.headers.setdefault(name, value)
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
