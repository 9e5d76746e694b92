"""``/panel/login``, ``/panel/logout`` and ``/panel/language``: signing in and out, and
switching the panel between Vietnamese and English."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from controller.auth.passwords import hash_password, verify_password
from controller.models import User
from controller.panel.access import protect_unsafe
from controller.panel.i18n import LANGUAGES, SESSION_KEY
from controller.panel.login_state import PanelUser
from controller.panel.throttle import LoginThrottle
from controller.players.screen_auth import security_log
from controller.state import db

panel_login = Blueprint("panel_login", __name__, url_prefix="/panel",
                        template_folder="templates")

# Checked when the user name is unknown, so that a wrong name costs as long as a wrong
# password and the answer time does not tell which names exist. Made at the first login
# (an Argon2 hash is ~0.1 s of CPU, which every controller and CLI start used to pay).
@cache
def _dummy_hash() -> str:
    return hash_password("pano-no-such-user-placeholder")


class LoginForm(FlaskForm):
    username = StringField(validators=[InputRequired(), Length(max=64)])
    password = PasswordField(validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this panel only, never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/panel") \
                and not target.startswith("/panel/log"):
            return target
    return url_for("panel_pages.index")


def throttle() -> LoginThrottle:
    return current_app.extensions["pano_login_throttle"]


@panel_login.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        form.next.data = request.args.get("next", "")
        return render_template("panel/login.html", form=form, error=None,
                               notice=request.args.get("notice"))
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            message = _("The form expired. Please sign in again.")
        else:
            message = _("Enter your user name and password.")
        return render_template("panel/login.html", form=form, error=message), 400
    username = form.username.data.strip().lower()
    address = request.remote_addr or "?"
    wait = throttle().retry_after(username, address)
    if wait is not None:
        security_log.warning("panel login refused (too many failures): user %r address=%s",
                             username, address)
        message = _("Too many failed attempts. Try again in %(seconds)d seconds.",
                    seconds=wait)
        return render_template("panel/login.html", form=form, error=message), 429
    user = db().scalar(select(User).where(User.username == username))
    good = verify_password(user.password_hash if user else _dummy_hash(), form.password.data)
    if user is None or not good or user.disabled:
        throttle().failed(username, address)
        security_log.warning("panel login failed: user %r address=%s", username, address)
        return render_template("panel/login.html", form=form,
                               error=_("Wrong user name or password.")), 401
    session.permanent = True
    login_user(PanelUser(user))
    security_log.info("panel login: user %s address=%s", username, address)
    return redirect(safe_next(form.next.data))


@panel_login.post("/logout")
def logout() -> Response:
    protect_unsafe()
    if current_user.is_authenticated:
        security_log.info("panel logout: user %s", current_user.username)
    logout_user()
    return redirect(url_for("panel_login.login", notice="signed_out"))


@panel_login.post("/language")
def language() -> Response:
    protect_unsafe()
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session[SESSION_KEY] = lang
    return redirect(safe_next(request.form.get("next")))
