"""What the playlist editor needs to write a data item (docs/sources.md "Data items"):

- ``GET /api/v1/data-catalog`` (every role that reads playlists): the declared sources
  by id with their names in each language and whether their data are current, and the
  imported templates (title and column labels per language). No addresses, errors or
  limits: those are the Sources page's (admins, technicians), ``GET /api/v1/sources``.
- ``GET /api/v1/data-catalog/preview.png?source=…&template=…&screen=…`` (same roles):
  the data slide the item would show now on that screen (default: the first screen;
  at its main area's size on a screen with a layout, docs/zones.md),
  with the item's own titles as ``title_<language>`` parameters: the same spec and the
  same stored picture as the rebuild's (``controller.dataslides``; content-addressed,
  so a slide screens already show is served as it is). A picture not stored yet is
  drawn by the job worker, never in this process (the request waits a few seconds for
  it; 503 if the worker has not drawn it by then). A source without current data
  answers 409: screens would show the item's fallback."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from controller.api.errors import ApiError
from controller.api.playlists import READERS
from controller.api.user_auth import require_role
from controller.dataslides.draw import input_hash
from controller.dataslides.stored import request_for, stored_slide
from controller.dataslides.table import data_spec
from controller.dataslides.templates import MAX_TITLE, stored_templates
from controller.models import DataSource, DataSourceState, Screen, Site, utcnow
from controller.refusals import refusal
from controller.sources.polling import aware
from controller.sources.views import is_stale
from controller.state import db
from controller.state import state as pano_state
from controller.zones.declarations import stored_layouts
from controller.zones.geometry import main_area_size

data_catalog_api = Blueprint("data_catalog_api", __name__, url_prefix="/api/v1")

TITLE_PARAM = re.compile(r"^title_([a-z]{2,3})$")
WAIT = 8.0  # seconds a preview waits for the job worker to draw a slide not stored yet
PREVIEW_PARAMS = ("source", "template", "screen")


@data_catalog_api.get("/data-catalog")
@require_role(*READERS)
def catalog() -> Any:
    if request.args:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=next(iter(request.args))[:40], allowed="none"))
    session = db()
    now = utcnow()
    rows = session.execute(
        select(DataSource, DataSourceState)
        .outerjoin(DataSourceState, DataSourceState.source_id == DataSource.id)
        .order_by(DataSource.position, DataSource.id)).all()
    sources = [{"id": source.id, "kind": source.kind, "names": dict(source.names or {}),
                "stale": is_stale(source, found, now),
                "stale_after": source.stale_after_s} for source, found in rows
               if source.kind != "cap"]  # CAP feeds become emergencies, not tables
    templates = [t.as_json() for t in stored_templates(session).values()]
    return {"sources": sources, "templates": templates}


def _text_param(name: str, most: int) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if len(raw) > most:
        raise ApiError(400, refusal("%(key)r is longer than %(most)d characters",
                                    key=name, most=most))
    return raw


@data_catalog_api.get("/data-catalog/preview.png")
@require_role(*READERS)
def preview_png() -> Any:
    titles: dict[str, str] = {}
    for name in request.args:
        match = TITLE_PARAM.match(name)
        if match:
            titles[match.group(1)] = _text_param(name, MAX_TITLE) or ""
        elif name not in PREVIEW_PARAMS:
            raise ApiError(400, refusal(
                "Unknown parameter %(name)r (allowed: %(allowed)s).", name=name[:40],
                allowed="source, template, screen, title_<language>"))
    session = db()
    source_id = _text_param("source", 64) or ""
    source = session.get(DataSource, source_id)
    if source is None:
        raise ApiError(404, refusal("No data source %(id)r (they are declared in "
                                    "config/sources.yaml).", id=source_id[:64]))
    template_id = _text_param("template", 64) or ""
    template = stored_templates(session).get(template_id)
    if template is None:
        raise ApiError(404, refusal("No data template %(id)r (they are declared in "
                                    "config/data_templates.yaml).", id=template_id[:64]))
    screen_id = _text_param("screen", 64)
    screen = (session.get(Screen, screen_id) if screen_id
              else session.scalars(select(Screen).order_by(Screen.id).limit(1)).first())
    if screen is None:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=(screen_id or "")[:64]))
    snapshot = session.get(DataSourceState, source.id)
    if snapshot is None or snapshot.records is None or is_stale(source, snapshot, utcnow()):
        raise ApiError(409, refusal(
            "The data of source %(id)r are not current: screens show the item's fallback "
            "instead.", id=source.id))
    site = session.get(Site, screen.site_id)
    names = dict(site.names or {}) if site is not None else {}
    if site is not None:
        names = {"vi": site.name_vi, "en": site.name_en, **names}
    # A screen with zones plays data slides in its main area (docs/zones.md).
    width, height = main_area_size(stored_layouts(session).get(screen.layout or ""),
                                   screen.width, screen.height)
    spec = data_spec(template, snapshot.records,
                     aware(snapshot.source_updated_at) or aware(snapshot.fetched_at),
                     width=width, height=height,
                     languages=list(screen.languages), zone=screen.timezone,
                     site_vi=names.get("vi", ""), site_en=names.get("en", ""),
                     site_names=names, titles=titles, name=template.id)
    pano = pano_state()
    key = input_hash(spec)
    media = stored_slide(session, pano.store, key)
    if media is None:
        renderer = getattr(pano.publisher, "renderer", None)
        session.commit()  # the worker writes with its own session
        if renderer is not None and renderer.ask_and_wait([request_for(spec)], wait=WAIT):
            session.expire_all()
            media = stored_slide(session, pano.store, key)
    if media is None:
        raise ApiError(503, refusal("The controller has not drawn this slide yet (its job "
                                    "worker is busy or stopped); try again in a moment."))
    data = pano.store.path_for(media.sha256).read_bytes()
    return Response(data, mimetype=media.mime or "image/png",
                    headers={"Cache-Control": "no-store"})
