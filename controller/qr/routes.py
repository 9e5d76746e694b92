"""``GET /q/<code>``: the short link a slide's QR code holds (public, no login).

A known code: one scan is recorded (time, code, playlist, item, language, screen and
the screen's site; nothing personal: no address, no user agent, no cookie) and the
answer is a 302 to the official page. The target is checked against the allowlist again
at scan time: a domain removed from ``qr_allowed_domains`` since gets a friendly page
instead of a redirect (and no scan). Unknown or malformed codes get a bilingual 404 page
and nothing is recorded. ``HEAD`` answers like ``GET`` but records nothing (link
previewers and checkers are not travellers).

A dual screen's code (``choices``, controller/qr/links.py) answers with a page of
languages instead; ``/q/<code>/<lang>`` records the scan in the chosen language and
redirects to that language's page, so a scan counts the language the traveller reads.

Cheap by design: the code's shape is checked before the database is touched, then one
lookup by primary key (joined to the screen for its site) and one insert."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest

from controller.models import QrCode, QrScan, Screen
from controller.qr.allowlist import check_url
from controller.qr.links import is_code
from controller.state import db, state

log = logging.getLogger("pano.qr")

qr_routes = Blueprint("qr_routes", __name__, template_folder="templates",
                      static_folder="static", static_url_path="/static/qr")

# Each language named in itself, on the language choice of a dual screen's code.
NATIVE_NAMES = {"vi": "Tiếng Việt", "en": "English", "lo": "ພາສາລາວ", "fr": "Français",
                "zh": "中文", "ko": "한국어", "ja": "日本語", "th": "ภาษาไทย"}

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}

NOT_FOUND = {
    "title_vi": "Không tìm thấy liên kết",
    "title_en": "Link not found",
    "message_vi": "Mã QR này không dẫn tới trang nào. Có thể mã đã được chụp chưa đầy đủ; "
                  "xin hãy quét lại mã trên màn hình.",
    "message_en": "This QR code does not lead to any page. The code may have been read "
                  "incompletely; please scan the code on the screen again.",
}
WITHDRAWN = {
    "title_vi": "Liên kết không còn được sử dụng",
    "title_en": "Link no longer in use",
    "message_vi": "Trang mà mã QR này dẫn tới không còn nằm trong danh sách các trang "
                  "chính thức được phép.",
    "message_en": "The page this QR code led to is no longer on the list of allowed "
                  "official sites.",
}


def _page(texts: dict[str, str], status: int) -> Response:
    response = Response(render_template("qr_not_found.html", **texts), status=status,
                        mimetype="text/html")
    response.headers.update(PRIVATE_HEADERS)
    return response


@qr_routes.errorhandler(BadRequest)
def malformed(_exc: BadRequest) -> Response:
    """A malformed address (``controller.api.strict_request``, e.g. ``%00`` or bytes that
    are not UTF-8): a traveller gets the same friendly page as for an unknown code."""
    return _page(NOT_FOUND, 404)


@qr_routes.route("/q/", defaults={"code": ""}, methods=["GET"], strict_slashes=False)
@qr_routes.route("/q/<path:code>", methods=["GET"])
def scan(code: str) -> Response:
    if not is_code(code):
        return _page(NOT_FOUND, 404)
    session = db()
    row = session.execute(
        select(QrCode, Screen.site_id)
        .outerjoin(Screen, Screen.id == QrCode.screen_id)
        .where(QrCode.code == code)
    ).first()
    if row is None:
        return _page(NOT_FOUND, 404)
    link, site_id = row
    if link.choices:
        return _choose(link)
    return _go(link, site_id, link.lang, link.target_url)


@qr_routes.route("/q/<code>/<lang>", methods=["GET"])
def chosen(code: str, lang: str) -> Response:
    """The language a traveller chose on a dual screen's code: counted as that
    language's scan, then the language's page."""
    if not is_code(code):
        return _page(NOT_FOUND, 404)
    row = db().execute(
        select(QrCode, Screen.site_id)
        .outerjoin(Screen, Screen.id == QrCode.screen_id)
        .where(QrCode.code == code)
    ).first()
    if row is None or not row[0].choices:
        return _page(NOT_FOUND, 404)
    link, site_id = row
    target = next((url for code_lang, url in link.choices if code_lang == lang), None)
    if target is None:
        return _choose(link)  # a language it does not offer: the choice again
    return _go(link, site_id, lang, target)


def _go(link: QrCode, site_id: str | None, lang: str, target: str) -> Response:
    """Record one scan (GET only) and redirect; a target no longer allowed gets a page."""
    if check_url(target, state().settings.qr_allowed_domains) is not None:
        return _page(WITHDRAWN, 410)
    if request.method == "GET":
        session = db()
        session.add(QrScan(code=link.code, playlist_id=link.playlist_id, item_id=link.item_id,
                           lang=lang, screen_id=link.screen_id, site_id=site_id))
        try:
            session.commit()
        except SQLAlchemyError:  # a lost count must not cost the traveller the page
            session.rollback()
            log.exception("QR scan of %s not recorded", link.code)
    response = redirect(target, code=302)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _choose(link: QrCode) -> Response:
    """The language choice: one button per language, each named in itself; the one the
    phone prefers (Accept-Language) first. Nothing is counted until a choice."""
    langs = [str(lang) for lang, _ in link.choices or []]
    preferred = request.accept_languages.best_match(langs)
    if preferred:
        langs.remove(preferred)
        langs.insert(0, preferred)
    options = [{"lang": lang, "name": NATIVE_NAMES.get(lang, lang.upper()),
                "href": f"/q/{link.code}/{lang}"} for lang in langs]
    response = Response(render_template("qr_choose.html", options=options), status=200,
                        mimetype="text/html")
    response.headers.update(PRIVATE_HEADERS)
    return response
