"""The web panel: server-rendered pages (Jinja, Flask-Babel) whose scripts call the
same ``/api/v1`` routes as every other client, authenticated by the panel's session
cookie instead of a bearer token (``controller.api.user_auth.require_role``). So a role
may do in the browser exactly what it may do over the API, and the server refuses the
rest whatever the page shows. docs/panel.md describes the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, request
from flask_babel import format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import SocketIO

from controller.panel import on_air_source  # noqa: F401 - registers the "on_air" topic
from controller.panel.access import csrf
from controller.panel.areas import AREA_BLUEPRINTS
from controller.panel.i18n import LANGUAGES, TIMEZONE, current_language, init_i18n
from controller.panel.live import NAMESPACE, PanelNamespace
from controller.panel.login import panel_login
from controller.panel.login_state import login_manager
from controller.panel.nav import current_page, pages_for
from controller.panel.pages import panel_pages
from controller.panel.throttle import LoginThrottle, storage_uri
from controller.panel.waiting import waiting_for
from controller.settings import Settings
from controller.state import db

SESSION_HOURS = 12
ROLE_NAMES = {"admin": _l("administrator"), "editor": _l("editor"),
              "approver": _l("approver"), "emergency": _l("emergency officer"),
              "technician": _l("technician"), "viewer": _l("viewer")}


def init_panel(app: Flask, settings: Settings, socketio: SocketIO) -> None:
    secure = settings.public_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_NAME="pano_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies whenever the controller is reached over HTTPS (public_url);
        # a plain-HTTP controller on 127.0.0.1 (make run) could not keep them otherwise.
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        # The session cookie is sent only when the session changed (sign-in, language,
        # a new CSRF token), not refreshed on every answer: otherwise a background call
        # that started before the person chose English answered after it with the
        # session it had read, and its cookie put the panel back in Vietnamese. So a
        # session lasts 12 hours from signing in (docs/panel.md).
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked per request: controller.panel.access
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session's life (12 h)
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    app.extensions["pano_login_throttle"] = LoginThrottle(storage_uri(settings.message_queue))
    socketio.on_namespace(PanelNamespace(NAMESPACE))
    app.register_blueprint(panel_login)
    app.register_blueprint(panel_pages)
    for blueprint in AREA_BLUEPRINTS:
        app.register_blueprint(blueprint)

    @app.context_processor
    def _panel_globals() -> dict[str, Any]:
        if not request.path.startswith("/panel"):
            return {}
        role = current_user.role if current_user.is_authenticated else None
        # The "Review" tab says how many versions wait for this approver.
        counts = {"panel_review.queue": waiting_for(db(), current_user.record)} \
            if role is not None else {}
        return {"nav_pages": pages_for(role), "nav_counts": counts, "languages": LANGUAGES,
                "lang": current_language(), "timezone": TIMEZONE,
                "role_names": ROLE_NAMES, "current_page": current_page(request.endpoint),
                "format_datetime": format_datetime, "format_decimal": format_decimal}
