"""Reports over the proof-of-play tables (docs/reports.md), for every signed-in role
(editors and approvers of a non-lead agency: their agency's content only,
``controller.reports.access``):

- ``GET /api/v1/plays``: one screen's records over a time range, paged;
- ``GET /api/v1/reports/plays``: plays, airtime, shares, QR scans, availability,
  emergencies and findings over Huế days, filtered and grouped;
- ``GET /api/v1/reports/charts/<name>.svg``: the same period's charts;
- ``GET /api/v1/reports/ttdn``: the yearly foreign-information report (HTML, PDF, CSV).

A bad parameter is a 400 with a sentence naming it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.refusals import refusal
from controller.reports import access
from controller.reports.filters import CHARTS, ReportRefused, check_known, parse_report_query
from controller.reports.plays_report import plays_report
from controller.reports.records import parse_records_query, read_records
from controller.state import db

reports_api = Blueprint("reports_api", __name__, url_prefix="/api/v1")


def refused(exc: ReportRefused) -> ApiError:
    return ApiError(403 if isinstance(exc, access.ReportForbidden) else 400, str(exc))


@reports_api.get("/plays")
@require_role(*access.READERS)
def list_plays() -> Any:
    try:
        query = parse_records_query(request.args)
    except ReportRefused as exc:
        raise refused(exc) from None
    agency = access.own_agency(current_actor())
    query.agency = agency
    try:
        return read_records(db(), query)
    except LookupError as exc:
        raise ApiError(404, str(exc)) from None


@reports_api.get("/reports/plays")
@require_role(*access.READERS)
def report_plays() -> Any:
    try:
        query = access.scope(parse_report_query(request.args), current_actor())
    except ReportRefused as exc:
        raise refused(exc) from None
    return plays_report(db(), query)


@reports_api.get("/reports/charts/<name>.svg")
@require_role(*access.READERS)
def report_chart(name: str) -> Any:
    if name not in CHARTS:
        raise ApiError(404, refusal("No chart %(name)r; the charts are %(charts)s.",
                                    name=name, charts=", ".join(CHARTS)))
    args = request.args.to_dict()
    lang = args.pop("lang", "vi")
    if lang not in ("vi", "en"):
        raise ApiError(400, refusal("'lang' must be vi or en, got %(got)r.", got=lang[:10]))
    try:
        query = access.scope(parse_report_query(args), current_actor())
    except ReportRefused as exc:
        raise refused(exc) from None
    from controller.reports.charts import draw  # matplotlib loads on first use

    svg = draw(db(), query, name, lang)
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


TTDN_PARAMS = ("year", "agency", "format", "lang")


@reports_api.get("/reports/ttdn")
@require_role(*access.READERS)
def report_ttdn() -> Any:
    from controller.reports.filters import whole, year_query
    from controller.reports.ttdn_render import FORMATS, render

    try:
        check_known(request.args, TTDN_PARAMS)
        if not request.args.get("year"):
            raise ReportRefused("'year' is required, e.g. year=2026.")
        year = whole("year", request.args["year"], 2000, 2100)
        fmt = request.args.get("format", "html")
        if fmt not in FORMATS:
            raise ReportRefused(f"'format' must be one of {', '.join(FORMATS)}, got "
                                f"{fmt[:10]!r}.")
        lang = request.args.get("lang", "vi")
        if lang not in ("vi", "en"):
            raise ReportRefused(f"'lang' must be vi or en, got {lang[:10]!r}.")
        query = access.scope(year_query(year, request.args.get("agency")), current_actor())
    except ReportRefused as exc:
        raise refused(exc) from None
    body, mimetype, filename = render(db(), query, fmt, lang)
    headers = {"Cache-Control": "private, no-store"}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, mimetype=mimetype, headers=headers)
