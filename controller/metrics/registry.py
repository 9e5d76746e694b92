"""The controller's Prometheus metric objects, in one registry of their own.

Every metric here is a per-process count: each controller process exposes its own
``/metrics`` and Prometheus scrapes every process (docs/operations.md, "Metrics").
What must agree across processes (screens online by site) is not a counter here but is
computed from the database at scrape time (``controller.metrics.collectors``).

The modules that own an event increment these objects directly (one line, no database
work); nothing else lives in this module.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

# Not prometheus_client's global REGISTRY: tests and tools import the controller freely,
# and only what this module names is exposed.
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # process_cpu_seconds_total, process_resident_memory_bytes…
PlatformCollector(registry=REGISTRY)  # python_info
GCCollector(registry=REGISTRY)  # python_gc_*
# No *_created series: they double the output and no dashboard here uses them.
disable_created_metrics()

SOCKETS_CONNECTED = Gauge(
    "pano_sockets_connected",
    "Player Socket.IO connections open on this process (authenticated /player namespace).",
    registry=REGISTRY)
HEARTBEATS = Counter(
    "pano_heartbeats",
    "Heartbeats accepted from players, by how they arrived (websocket or http).",
    ["transport"], registry=REGISTRY)
for _transport in ("websocket", "http"):
    HEARTBEATS.labels(_transport)  # present (at 0) before the first heartbeat
JOURNAL_BATCHES = Counter(
    "pano_journal_batches",
    "Play-journal batches stored (a repeat of an already stored batch counts too).",
    registry=REGISTRY)
JOURNAL_RECORDS = Counter(
    "pano_journal_records",
    "Play-journal records newly stored (repeats of stored records not counted).",
    registry=REGISTRY)
PUSH_ACK_SECONDS = Histogram(
    "pano_push_ack_seconds",
    "Seconds from this process pushing a timeline to a screen to that screen acking it.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY)
TIMELINE_REBUILD_SECONDS = Histogram(
    "pano_timeline_rebuild_seconds",
    "Seconds one rebuild of every screen's timeline took (build and publish).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY)
MEDIA_BYTES_SERVED = Counter(
    "pano_media_bytes_served",
    "Bytes of media files sent to players and browsers (body bytes of the answers).",
    registry=REGISTRY)
RENDITIONS_RENDERED = Counter(
    "pano_renditions_rendered",
    "Media renditions (resized images, transcoded videos) produced by this process.",
    registry=REGISTRY)
SLIDES_RENDERED = Counter(
    "pano_slides_rendered",
    "Slides (text, emergency, QR) rendered to images by this process.",
    registry=REGISTRY)
# Set by the alerts (controller/alerts): how many alerts are firing now, by severity.
ALERTS_FIRING = Gauge(
    "pano_alerts_firing",
    "Alerts firing now, by severity.",
    ["severity"], registry=REGISTRY)
# Set by the leader election (controller/leadership/elector.py).
LEADER = Gauge(
    "pano_leader",
    "1 while this process is the elected leader (it runs the change watcher, the "
    "scheduler and the alerts), else 0.",
    registry=REGISTRY)
