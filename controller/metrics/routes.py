"""``GET /metrics``: this process's metrics in Prometheus' text format
(docs/operations.md, "Metrics"), to the callers ``controller.metrics.access`` lets in."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

import controller.metrics.collectors  # noqa: F401  (registers the database collector)
from controller.metrics.access import check_access
from controller.metrics.registry import REGISTRY
from controller.state import state

metrics_routes = Blueprint("metrics_routes", __name__)


@metrics_routes.get("/metrics")
def metrics() -> Response:
    check_access(state().settings)
    # Text format 0.0.4, which every Prometheus reads (our names need nothing newer).
    return Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_PLAIN_0_0_4,
                    headers={"Cache-Control": "no-store"})
