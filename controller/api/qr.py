"""``GET /api/v1/qr/scans``: how often the QR codes were scanned (roles admin, approver,
viewer, technician).

``by`` groups the counts: ``item`` (default: playlist and item), ``screen``, ``site``,
``lang`` or ``playlist``. Filters: ``playlist``, ``site``, ``screen``, ``lang``, ``since``
(inclusive) and ``until`` (exclusive), times in ISO 8601 with a zone. The answer is
``{"by", "total", "groups": [{<key fields>, "scans"}]}``, most scanned first. A bad
parameter is a 400 naming it. Scans hold nothing personal (controller/qr/routes.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import func, select

from controller.api.audit import _time
from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.models import QrScan
from controller.refusals import refusal
from controller.reports.filters import unknown_parameter
from controller.state import db

qr_api = Blueprint("qr_api", __name__, url_prefix="/api/v1")

READERS = ("admin", "approver", "viewer", "technician")
GROUPINGS: dict[str, tuple[tuple[str, Any], ...]] = {
    "item": (("playlist", QrScan.playlist_id), ("item", QrScan.item_id)),
    "screen": (("screen", QrScan.screen_id),),
    "site": (("site", QrScan.site_id),),
    "lang": (("lang", QrScan.lang),),
    "playlist": (("playlist", QrScan.playlist_id),),
}
TEXT_FILTERS = {"playlist": QrScan.playlist_id, "site": QrScan.site_id,
                "screen": QrScan.screen_id, "lang": QrScan.lang}
PARAMETERS = ("by", *TEXT_FILTERS, "since", "until")


@qr_api.get("/qr/scans")
@require_role(*READERS)
def scan_counts() -> Any:
    args = request.args
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise ApiError(400, unknown_parameter(unknown[0], PARAMETERS))
    for name in args:
        if len(args.getlist(name)) > 1:
            raise ApiError(400, refusal("%(name)r is given more than once.", name=name))
    by = args.get("by", "item")
    if by not in GROUPINGS:
        raise ApiError(400, refusal("'by' must be one of %(choices)s, got %(got)r.",
                                    choices=", ".join(GROUPINGS), got=by[:32]))
    conditions = []
    for name, column in TEXT_FILTERS.items():
        value = args.get(name)
        if value is not None:
            if not value.strip() or len(value) > 64:
                raise ApiError(400, refusal("%(name)r must be 1 to 64 characters.",
                                            name=name))
            conditions.append(column == value.strip())
    since = _time("since", args["since"]) if args.get("since") is not None else None
    until = _time("until", args["until"]) if args.get("until") is not None else None
    if since is not None and until is not None and since >= until:
        raise ApiError(400, refusal("'since' must be before 'until'."))
    if since is not None:
        conditions.append(QrScan.at >= since)
    if until is not None:
        conditions.append(QrScan.at < until)

    keys = GROUPINGS[by]
    columns = [column for _, column in keys]
    scans = func.count(QrScan.id).label("scans")
    rows = db().execute(
        select(*columns, scans).where(*conditions).group_by(*columns)
        .order_by(scans.desc(), *columns)
    ).all()
    groups = [{**{name: value for (name, _), value in zip(keys, row[:-1], strict=True)},
               "scans": row[-1]} for row in rows]
    return {"by": by, "total": sum(g["scans"] for g in groups), "groups": groups}
