"""A controller stopping under connected players (controller/players/farewell.py): their
disconnects are written together, every player is told, and an ack answered just
before the stop is written."""

from __future__ import annotations

from sqlalchemy import event, select
from web.helpers import WELCOME_SCREENS, Player

from controller.models import ScreenPresence, ScreenStatus
from controller.server import ControllerServer

SCREENS = WELCOME_SCREENS[:3]


def test_stopping_writes_every_disconnect_together_and_keeps_the_last_acks(fleet):
    server = ControllerServer(fleet.settings).start()
    players: list[Player] = []
    statements: list[str] = []
    try:
        for screen in SCREENS:
            players.append(Player(server.url).connect(screen, fleet.tokens[screen]))
        acked = {}
        for screen, player in zip(SCREENS, players, strict=True):
            acked[screen] = player.next_timeline()["version"]
            assert player.call("ack", {"version": acked[screen], "missing": []}) == {"ok": True}
        engine = server.app.extensions["pano"].engine
        event.listen(engine, "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: statements.append(sql.lower()))
    finally:
        server.stop()  # the acks above may still be in the recorder's memory
    for player in players:
        assert player.disconnected.wait(10), "a player was not told the server is going"
        player.close()

    with fleet.sessions() as session:
        for screen in SCREENS:
            row = session.get(ScreenStatus, screen)
            assert row.connected is False
            assert row.acked_version == acked[screen]
            open_intervals = session.scalars(select(ScreenPresence).where(
                ScreenPresence.screen_id == screen, ScreenPresence.until.is_(None))).all()
            assert open_intervals == []
    # One statement for every player's interval and one for every status, not one each
    # (the presence sweeper's own update names no interval).
    closes = [s for s in statements
              if s.startswith("update screen_presence") and "screen_presence.id" in s]
    assert len(closes) == 1
    assert sum(s.startswith("update screen_status set connected") for s in statements) == 1
