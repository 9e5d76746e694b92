"""What the app factory wires together, reachable from views and Socket.IO handlers:
``state()`` (settings, publisher, media store…) and ``db()`` (this request's session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from controller.media.store import MediaStore
    from controller.players.event_budget import ScreenBudgets
    from controller.players.namespace import PlayerNamespace
    from controller.players.recorder import StatusRecorder
    from controller.settings import Settings
    from controller.timeline.publisher import TimelinePublisher


@dataclass
class PanoState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    # One session per request (and per Socket.IO event), removed at app-context teardown.
    # Scoped per thread; per greenlet in gevent mode, where threading.local is patched.
    sessions: scoped_session[Session]
    socketio: SocketIO
    publisher: TimelinePublisher
    store: MediaStore
    namespace: PlayerNamespace
    # Acks and heartbeats from sockets, written in batches (controller/players/recorder.py).
    recorder: StatusRecorder
    # Budgets of the player's HTTP routes, per screen (controller/players/event_budget.py).
    http_budgets: ScreenBudgets = field(default_factory=lambda: _screen_budgets())


def _screen_budgets() -> ScreenBudgets:
    from controller.players.event_budget import ScreenBudgets

    return ScreenBudgets()


def state() -> PanoState:
    return current_app.extensions["pano"]


def db() -> Session:
    return state().sessions()
