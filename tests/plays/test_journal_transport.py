"""The ``journal`` event and ``POST /api/v1/player/journal`` against a real controller
(Flask-SocketIO, werkzeug) with real python-socketio clients and HTTP requests: the same
answer both ways, refusals that say why with nothing stored, a 50 MB batch refused while
it is read without disturbing another player, and the HTTP route's budget."""

from __future__ import annotations

import json
import threading

import requests
from plays.journal_helpers import batch, chain
from sqlalchemy import func, select
from support.rawws import TEXT, RawWebSocket, frame_header, masked
from web.helpers import wait_for

from controller.edge.limits import PLAYER_EVENT_BUDGETS
from controller.models import PlayRecord

SOCKET_SCREEN, HTTP_SCREEN, BYSTANDER = "phu-bai-arrivals", "phu-bai-baggage", "lang-co-bay-pano"
URL = "/api/v1/player/journal"


def stored(fleet, screen: str) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(PlayRecord)
                              .where(PlayRecord.screen_id == screen))


def post(server, fleet, screen: str, body=None, headers=None,
         **kwargs) -> requests.Response:
    return requests.post(server.url + URL, json=body, timeout=30, headers={
        "Authorization": f"Bearer {fleet.tokens[screen]}", **(headers or {})}, **kwargs)


def test_a_batch_over_the_socket_is_acked_with_stored_through(players, fleet):
    player = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    payload = batch(chain(20))
    assert player.call("journal", payload) == {
        "ok": True, "stored_through": 20, "duplicates": 0, "findings": []}
    assert player.call("journal", payload) == {  # a replay: stored once
        "ok": True, "stored_through": 20, "duplicates": 20, "findings": []}
    assert stored(fleet, SOCKET_SCREEN) == 20


def test_a_malformed_batch_is_refused_whole_with_the_reason(players, fleet):
    player = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    before = stored(fleet, SOCKET_SCREEN)
    records = chain(3)
    records[2] = {**records[2], "seq": 1}  # out of order
    answer = player.call("journal", batch(records))
    assert answer["ok"] is False and answer["error"] == "bad_request"
    assert answer["message"] == "Records must be in increasing seq order: seq 1 follows seq 2."
    many = player.call("journal", batch(chain(101, seconds=1)))
    assert many["error"] == "bad_request" and "the limit is 100" in many["message"]
    assert player.call("journal", [1, 2])["error"] == "bad_request"
    assert stored(fleet, SOCKET_SCREEN) == before
    wait_for(lambda: player.errors, what="the refusal's error event")


def test_the_http_route_gives_the_same_answer(server, fleet):
    payload = batch(chain(5))
    answer = post(server, fleet, HTTP_SCREEN, payload)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "stored_through": 5, "duplicates": 0, "findings": []}
    assert post(server, fleet, HTTP_SCREEN, payload).json()["duplicates"] == 5
    refused = post(server, fleet, HTTP_SCREEN, {"journal": "not-a-uuid", "records": []})
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("journal must be the journal's id (a UUID)")
    assert requests.post(server.url + URL, json=payload, timeout=10).status_code == 401
    assert stored(fleet, HTTP_SCREEN) == 5


def test_a_50_mb_batch_is_refused_while_read_and_others_are_unaffected(players, server,
                                                                       fleet):
    bystander = players().connect(BYSTANDER, fleet.tokens[BYSTANDER])
    before = stored(fleet, SOCKET_SCREEN), stored(fleet, HTTP_SCREEN)
    huge = batch(chain(1, item="x" * 50_000_000))

    def chunks():  # streamed without a length: the body is cut while it is read
        body = requests.models.complexjson.dumps(huge).encode()
        for start in range(0, len(body), 1 << 20):
            yield body[start:start + (1 << 20)]

    try:
        answer = post(server, fleet, HTTP_SCREEN, data=chunks(),
                      headers={"Content-Type": "application/json"})
        assert answer.status_code == 413, answer.text
    except requests.ConnectionError:  # answered 413 and closed before all was sent
        pass
    with_length = post(server, fleet, HTTP_SCREEN, data=b"{" + b" " * 50_000_000 + b"}",
                       headers={"Content-Type": "application/json"})
    assert with_length.status_code == 413
    # Over the socket: one 50 MB `journal` frame, sent as a real client would (raw, so
    # the test sees what the controller does while the frame is still arriving).
    ws = RawWebSocket(server.port)
    assert ws.join_player(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN]).startswith("40/player")
    frame = ('42/player,["journal",' + json.dumps(huge) + "]").encode()
    head, mask = frame_header(TEXT, len(frame))
    sent = 0
    try:
        ws.sock.sendall(head)
        for at in range(0, len(frame), 1 << 20):
            ws.sock.sendall(masked(frame[at:at + (1 << 20)], mask))
            sent += 1 << 20
    except OSError:
        pass
    ws.close()
    assert sent < 32 << 20, f"the controller read {sent >> 20} MiB of one message"
    # The other player goes on: its batch is stored and acked.
    assert bystander.call("journal", batch(chain(3)))["stored_through"] == 3
    assert (stored(fleet, SOCKET_SCREEN), stored(fleet, HTTP_SCREEN)) == before


def test_the_http_route_has_the_journal_budget_per_screen(server, fleet):
    budget = PLAYER_EVENT_BUDGETS["journal"]
    empty = batch([])
    codes = [post(server, fleet, "chan-may-gate-kiosk", empty) for _ in range(budget.burst + 6)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and all(r.status_code == 200 for r in codes[:budget.burst])
    assert "Too many journal events" in limited[0].json()["message"]
    assert int(limited[0].headers["Retry-After"]) >= 1


def test_many_players_sending_at_once_are_all_stored(players, fleet, server):
    """Each batch is stored with its own session behind a gate: handlers waiting for
    their turn hold no pooled connection (they once emptied the pool)."""
    screens = ["chan-may-cruise-terminal", "chan-may-gate-kiosk", "phu-bai-arrivals",
               "phu-bai-baggage", "lang-co-bay-pano", "a-dot-entry-hall"] * 4
    connected = [players().connect(s, fleet.tokens[s]) for s in screens]
    before = {s: stored(fleet, s) for s in set(screens)}
    answers: list = []

    def send(player) -> None:
        journal = batch([])["journal"]
        records = chain(300, seconds=2)
        for at in range(0, 300, 100):
            answers.append(player.call("journal", batch(records[at:at + 100], journal)))

    threads = [threading.Thread(target=send, args=(p,)) for p in connected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(answers) == 3 * len(screens) and all(a["ok"] for a in answers), answers[:3]
    for screen in set(screens):
        assert stored(fleet, screen) - before[screen] == 4 * 300
    assert requests.get(server.url + "/healthz", timeout=5).ok
