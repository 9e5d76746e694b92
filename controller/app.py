"""The app factory: Flask + Flask-SocketIO, wired to the database, the media store and
the timeline publisher. It starts nothing in the background: ``controller.server.serve``
does (the change watcher and the one scheduler), so tests and extra processes can build
an app without side effects.

Async mode: ``settings.async_mode`` ("threading" or "gevent") is passed explicitly. In
gevent mode the process must be monkey-patched before anything else is imported; see
``controller.server.serve``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy.orm import scoped_session

from controller.api.agencies import agencies_api
from controller.api.alerts import alerts_api
from controller.api.audit import audit_api
from controller.api.data_catalog import data_catalog_api
from controller.api.emergencies import emergencies_api
from controller.api.emergency_drafts import emergency_drafts_api
from controller.api.errors import register_error_handlers
from controller.api.jobs import jobs_api
from controller.api.media import media_api
from controller.api.media_thumbnails import media_thumbnails_api
from controller.api.openapi import openapi_api
from controller.api.player_routes import player_api
from controller.api.playlist_files import playlist_files_api
from controller.api.playlist_review import review_api
from controller.api.playlists import playlists_api
from controller.api.preview import preview_api
from controller.api.qr import qr_api
from controller.api.reports import reports_api
from controller.api.schedule_week import schedule_week_api
from controller.api.schedules import schedules_api
from controller.api.screen_commands import screen_commands_api
from controller.api.screen_truth import screen_truth_api
from controller.api.screens import screens_api
from controller.api.sites import sites_api
from controller.api.sources import sources_api
from controller.api.sources_edit import sources_edit_api
from controller.api.strict_request import install_strict_input
from controller.api.users import users_api
from controller.changes_notify.redis_pubsub import use_redis
from controller.db import make_engine, make_session_factory
from controller.edge.http_server import answer_stalled_bodies
from controller.edge.limits import MAX_MESSAGE
from controller.edge.pinger import install as shared_pinger
from controller.edge.room_index import client_manager
from controller.edge.websocket import bound_transport
from controller.home.routes import home
from controller.media.routes import media_routes
from controller.media.store import MediaStore
from controller.metrics.routes import metrics_routes
from controller.panel import init_panel
from controller.players.guard import guard_malformed_messages
from controller.players.namespace import PlayerNamespace
from controller.players.recorder import StatusRecorder
from controller.qr.routes import qr_routes
from controller.security_headers import install_security_headers
from controller.settings import Settings
from controller.state import PanoState
from controller.timeline.encoded_push import EncodedPush
from controller.timeline.give_way import until_idle
from controller.timeline.publisher import TimelinePublisher

MAX_SOCKET_MESSAGE = int(MAX_MESSAGE.value)  # bytes; a timeline for one screen is a few KiB
MAX_HTTP_BODY = 64 * 1024


def create_app(settings: Settings) -> tuple[Flask, SocketIO]:
    app = Flask("controller")
    install_strict_input(app)  # first: malformed paths, queries and bodies are a 400
    install_security_headers(app)  # CSP, framing, nosniff, referrer on every answer
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=MAX_HTTP_BODY)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    engine = make_engine(settings.db_url)
    session_factory = make_session_factory(engine)
    sessions = scoped_session(session_factory)

    # Each client's rooms indexed: a disconnect costs its own rooms, not the fleet's
    # (controller/edge/room_index.py).
    manager = client_manager(settings.message_queue, settings.message_queue_channel)
    queue: dict[str, Any] = {"client_manager": manager} if manager is not None else {
        "message_queue": settings.message_queue, "channel": settings.message_queue_channel}
    socketio = SocketIO(
        app,
        async_mode=settings.async_mode,
        **queue,
        cors_allowed_origins=None,  # same origin only (players send no Origin header)
        max_http_buffer_size=MAX_SOCKET_MESSAGE,
        manage_session=False,  # players have no Flask session; don't copy one per client
        # Each event's handler runs in its socket's reader instead of a greenlet (or
        # thread) of its own: one spawn less per ack (docs/performance.md).
        async_handlers=False,
    )
    # Commits that bump the change log are published on the Redis queue too, for the
    # leader's change watcher (issue 14; controller/changes_notify/redis_pubsub.py).
    use_redis(settings.message_queue, settings.message_queue_channel)
    if settings.proxy_count:
        # Outermost, so the Socket.IO middleware and Flask both see the player's own
        # address (logs, refusals, ScreenStatus.remote_addr), not nginx's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    guard_malformed_messages(socketio.server)
    namespace = PlayerNamespace()
    socketio.on_namespace(namespace)
    # WebSocket only, every frame bounded while it is read (controller/edge/websocket.py).
    bound_transport(socketio.server, namespace.describe, namespace.flooded_eio)
    shared_pinger(socketio.server.eio)  # one pinging task, not one per connection

    store = MediaStore(settings.media_dir)
    publisher = TimelinePublisher(socketio.emit, settings.heartbeat_interval, store=store,
                                  base_url=settings.base_url)
    publisher.push_text = EncodedPush(socketio.server)  # each body's JSON made once
    if settings.async_mode == "gevent":  # acks answered while a rebuild runs
        publisher.give_way = until_idle()
    app.extensions["pano"] = PanoState(
        settings=settings, engine=engine, session_factory=session_factory, sessions=sessions,
        socketio=socketio, publisher=publisher,
        store=store, namespace=namespace,
        recorder=StatusRecorder(session_factory))

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        sessions.remove()

    register_error_handlers(app)
    answer_stalled_bodies(app)
    app.register_blueprint(player_api)
    app.register_blueprint(screens_api)
    app.register_blueprint(sites_api)
    app.register_blueprint(screen_commands_api)
    app.register_blueprint(screen_truth_api)
    app.register_blueprint(preview_api)
    app.register_blueprint(emergencies_api)
    app.register_blueprint(emergency_drafts_api)
    app.register_blueprint(playlists_api)
    app.register_blueprint(review_api)
    app.register_blueprint(playlist_files_api)
    app.register_blueprint(jobs_api)
    app.register_blueprint(schedules_api)
    app.register_blueprint(schedule_week_api)
    app.register_blueprint(agencies_api)
    app.register_blueprint(audit_api)
    app.register_blueprint(openapi_api)
    app.register_blueprint(users_api)
    app.register_blueprint(media_api)
    app.register_blueprint(media_routes)
    app.register_blueprint(media_thumbnails_api)
    app.register_blueprint(qr_api)
    app.register_blueprint(reports_api)
    app.register_blueprint(alerts_api)
    app.register_blueprint(sources_api)  # docs/sources.md
    app.register_blueprint(sources_edit_api)  # the panel's Sources page
    app.register_blueprint(data_catalog_api)  # the playlist editor's data items
    app.register_blueprint(qr_routes)
    app.register_blueprint(home)
    app.register_blueprint(metrics_routes)  # /metrics, protected (controller/metrics/access)
    init_panel(app, settings, socketio)

    @app.get("/healthz")
    def _health() -> dict[str, Any]:
        # leader: this process won the election (controller/leadership, set by the server)
        server = app.extensions.get("pano_leadership")
        return {"ok": True, "leader": bool(server is not None and server.leading)}

    return app, socketio
