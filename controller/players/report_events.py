"""What a player reports on the ``/player`` namespace besides acks and heartbeats: an
emergency it showed, the result of a command, a batch of its play journal
(docs/protocol.md sections 4-5). A mixin of ``PlayerNamespace``, which provides the
connection check and the refusal (``_connection``, ``_event_sid``, ``_refuse``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from controller.emergencies.store import keep_receipt
from controller.models import ScreenCommand
from controller.players import commands
from controller.players.payloads import (
    PayloadRefused,
    validate_command_result,
    validate_emergency_shown,
)
from controller.plays.batch import validate_batch
from controller.plays.off_loop import store_batch
from controller.state import db, state

if TYPE_CHECKING:
    from controller.players.namespace import Connection

log = logging.getLogger("pano.players")


class PlayerReports:
    """Event handlers (``on_<event>``) for the reports; see the module's docstring."""

    def _connection(self, event: str) -> Connection | dict[str, Any]:
        raise NotImplementedError

    def _event_sid(self) -> str:
        raise NotImplementedError

    def _refuse(self, sid: Any, event: str, error: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def on_emergency_shown(self, data: Any = None) -> dict[str, Any]:
        """A player displayed an emergency: keep the first time it says so (rare, so
        written at once rather than batched with acks)."""
        conn = self._connection("emergency_shown")
        if isinstance(conn, dict):
            return conn
        sid = self._event_sid()
        try:
            shown = validate_emergency_shown(data)
        except PayloadRefused as exc:
            return self._refuse(sid, "emergency_shown", exc.error, str(exc))
        screen_id = conn.identity.screen_id
        if not keep_receipt(db(), shown.id, screen_id, shown.shown_at):
            return self._refuse(sid, "emergency_shown", "bad_request",
                                f"Emergency {shown.id} does not exist or does not target "
                                f"screen {screen_id}.")
        log.info("screen %s showed emergency %d at %s", screen_id, shown.id,
                 shown.shown_at.isoformat())
        return {"ok": True}

    def on_command_result(self, data: Any = None) -> dict[str, Any]:
        """A player's answer to a ``command``: the first answer finishes the command
        (``screen_commands``, shared by every process); a repeat is acknowledged and
        ignored; an id that is not a command of this screen is refused."""
        conn = self._connection("command_result")
        if isinstance(conn, dict):
            return conn
        sid = self._event_sid()
        try:
            result = validate_command_result(data)
        except PayloadRefused as exc:
            return self._refuse(sid, "command_result", exc.error, str(exc))
        session = db()
        screen_id = conn.identity.screen_id
        command = session.get(ScreenCommand, result.id)
        if command is None or command.screen_id != screen_id:
            return self._refuse(sid, "command_result", "bad_request",
                                f"No command {result.id} was sent to screen {screen_id}.")
        ok, message = result.ok, result.message
        if command.command == "screenshot" and ok and command.status == "sent":
            ok, message = False, ("The player reported a screenshot but none was uploaded "
                                  f"(PUT /api/v1/player/screenshot). {message}")[:1000]
        outcome = commands.finish(session, result.id, screen_id, ok, message,
                                  result.extras)
        log.info("screen %s: %s %s %s: %s", screen_id, command.command, result.id,
                 "ok" if ok else "failed",
                 message[:200] if outcome == "finished" else "(already finished)")
        return {"ok": True}

    def on_journal(self, data: Any = None) -> dict[str, Any]:
        """A batch of the player's play journal (docs/protocol.md section 5,
        ``journal``): stored in one transaction, in this event's own thread (threading
        mode) or in a pool thread while this greenlet waits (gevent mode:
        ``controller.plays.off_loop``), so a batch waits for the database, never holds
        the publisher or another player; the answer says how far it is stored."""
        conn = self._connection("journal")
        if isinstance(conn, dict):
            return conn
        try:
            batch = validate_batch(data)
        except PayloadRefused as exc:
            return self._refuse(self._event_sid(), "journal", exc.error, str(exc))
        return store_batch(db(), state().session_factory, conn.identity.screen_id, batch)
