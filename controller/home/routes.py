"""``GET /``: a bilingual landing page (Vietnamese first) that says what runs here.

It shows no data without a login: the fleet, playlists and schedules arrive with the web
panel. Counts of sites and screens are public facts about the network, nothing more."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from controller import __version__
from controller.models import Screen, Site
from controller.state import db

home = Blueprint("home", __name__, template_folder="templates",
                 static_folder="static", static_url_path="/static/home")


@home.get("/")
def landing() -> str:
    session = db()
    return render_template(
        "home.html",
        version=__version__,
        sites=session.scalar(select(func.count()).select_from(Site)) or 0,
        screens=session.scalar(select(func.count()).select_from(Screen)) or 0,
    )
