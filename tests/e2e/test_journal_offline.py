"""Issue 11: proof of play through an outage, end to end.

A real controller process and a real ``pano-player`` process: headless in HTTP mode
behind a proxy that refuses WebSocket upgrades, and a kiosk over the WebSocket whose page
is open in a real Chromium all along (its records are what the page reported on screen);
each transport and each display once (headless over the WebSocket goes through the same
outage in the tampered-journal test below). The player plays and its
journal is stored; the controller is killed (no clean shutdown); the player plays on
offline, is stopped and started again offline; the controller comes back on the same
address. Then the controller holds every record the player wrote, each exactly once
(``GET /api/v1/plays`` and the database), chained without a break, found nothing wrong
with the chain, and the day's report (``GET /api/v1/reports/plays``) counts every play
once.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support.browser import browser_session
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, call_api, get_json, wait_for
from support.proxy import CorruptingProxy

SCREEN = "a-dot-entry-hall"
HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def journal(player: Player) -> dict:
    code, body = player.status()
    assert code == 200, body
    return body["journal"] | {"connected": body["connected"], "transport": body["transport"]}


def all_plays(controller: Controller, admin: str, since: datetime) -> list[dict]:
    records, cursor = [], None
    until = datetime.now(UTC) + timedelta(minutes=5)
    while True:
        url = (f"{controller.url}/api/v1/plays?screen={SCREEN}&from="
               f"{since.strftime('%Y-%m-%dT%H:%M:%SZ')}&to={until.strftime('%Y-%m-%dT%H:%M:%SZ')}"
               f"&limit=500" + (f"&cursor={cursor}" if cursor else ""))
        code, body = get_json(url, admin)
        assert code == 200, body
        records += body["records"]
        cursor = body["next_cursor"]
        if not cursor:
            return records


def day_report(controller: Controller, admin: str, since: datetime) -> dict:
    """GET /api/v1/reports/plays for the screen over the Huế days the test ran on."""
    days = [moment.astimezone(HUE).date().isoformat() for moment in (since, datetime.now(UTC))]
    code, body = get_json(f"{controller.url}/api/v1/reports/plays?screen={SCREEN}"
                          f"&from={days[0]}&to={days[1]}", admin)
    assert code == 200, body
    return body


@contextlib.contextmanager
def kiosk_page(player: Player):
    """The kiosk page open in a real Chromium while the block runs."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on this machine")
    with browser_session() as browser:
        page = browser.new_page(viewport={"width": 960, "height": 540})
        page.goto(player.status_url.replace("/status", "/"))
        yield page


IDENTIFY_SECONDS = 4


def show_identify(controller: Controller, player: Player, admin: str, page) -> None:
    """Send ``identify`` and wait until the kiosk page shows it: first the player's
    answer (202 is "sent", not "delivered"), then the overlay. On a loaded machine the
    page may draw it a second or two after the player put it up, hence a few seconds of
    overlay. A failure says which step did not happen, with the player's log."""
    commands = f"{controller.url}/api/v1/screens/{SCREEN}/commands"
    sent: dict = {}

    def send() -> bool:
        code, _, raw = call_api("POST", commands, admin, {
            "command": "identify", "args": {"seconds": IDENTIFY_SECONDS}})
        sent.update(json.loads(raw) if code == 202 else {})
        return code == 202

    def answered() -> bool:
        code, body = get_json(f"{controller.url}{sent['url']}", admin)
        sent["status"] = body
        return code == 200 and body.get("status") != "sent"

    try:
        wait_for(send, what="identify sent")
        wait_for(answered, timeout=20, what="the player's answer to identify")
        assert sent["status"]["status"] == "done", sent["status"]
        page.wait_for_selector("#identify:not([hidden])", timeout=20_000)
    except BaseException:
        print("command:", sent, "\n--- player log ---\n", player.output()[-6000:])
        raise


@pytest.mark.parametrize(("transport", "display"), [
    ("http", "headless"), ("websocket", "kiosk")])
def test_every_play_through_an_outage_and_a_restart_is_stored_once_in_one_chain(
        tmp_path, transport, display):
    since = datetime.now(UTC) - timedelta(minutes=1)
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    token = screen_token(data, SCREEN)
    admin = admin_token(data)
    controller = Controller(data, env={"PANO_HEARTBEAT_INTERVAL": "1"}).start()
    flags = ["--backoff-cap", "1"]
    url, proxy = controller.url, None
    if transport == "http":
        proxy = CorruptingProxy(controller.port, corrupt=0, refuse_websocket=True)
        url = f"http://127.0.0.1:{proxy.port}"
        flags += ["--http-poll-interval", "1"]
    player = Player(url, SCREEN, token, tmp_path / "cache", display=display, extra=flags)
    page = contextlib.nullcontext()
    try:
        player.start()
        if display == "kiosk":
            page = kiosk_page(player)
            shown_page = page.__enter__()
        # 1. Online: records are written and stored as they come.
        wait_for(lambda: (j := journal(player))["connected"] and j["stored_through"] >= 3,
                 timeout=40, what="records stored online")
        assert journal(player)["transport"] == transport
        if display == "kiosk":  # the identify overlay, recorded from the page too
            show_identify(controller, player, admin, shown_page)

        # 2. The controller dies; the player plays on and keeps writing.
        controller.kill()
        wait_for(lambda: not journal(player)["connected"], what="the player offline")
        offline_from = journal(player)["last_seq"]
        wait_for(lambda: journal(player)["last_seq"] >= offline_from + 4, timeout=20,
                 what="records written offline")

        # 3. The player is stopped and started again, still offline.
        player.stop()
        player.start()
        before = journal(player)
        wait_for(lambda: journal(player)["last_seq"] >= before["last_seq"] + 3, timeout=20,
                 what="records written after the restart")
        assert journal(player)["pending"] > 0 and not journal(player)["connected"]

        # 4. The controller returns: the backlog goes out by itself.
        controller.start()
        wait_for(lambda: (j := journal(player))["connected"] and j["pending"] == 0
                 and j["stored_through"] > before["last_seq"], timeout=60,
                 what="the backlog stored")
        status = journal(player)
    finally:
        player.stop()
        page.__exit__(None, None, None)
        controller.stop()
        if proxy is not None:
            proxy.close()

    stored_through, journal_id = status["stored_through"], status["id"]
    # Every record once, in one journal, from 1 without a hole (GET /api/v1/plays), and
    # the day's report counts each play once, with no chain finding.
    controller.start()
    try:
        plays = all_plays(controller, admin, since)
        report = day_report(controller, admin, since)
    finally:
        controller.stop()
    items = [r for r in plays if r["kind"] == "item"]
    assert report["totals"]["plays"] == len(items) > 0
    assert report["totals"]["airtime_seconds"] == pytest.approx(
        sum(r["seconds"] for r in items), abs=0.01)
    assert set(report["findings"]["by_kind"]) <= {"new_journal"}
    seqs = sorted(r["seq"] for r in plays if r["seq"] <= stored_through)
    assert seqs == list(range(1, stored_through + 1))
    assert {r["journal"] for r in plays} == {journal_id}
    assert {r["source"] for r in plays} == {display}
    endings = [r["ended"] for r in sorted(plays, key=lambda r: r["seq"])]
    assert "stop" in endings  # the record on screen when the player was stopped
    if display == "kiosk":
        shown = [r for r in plays if r["kind"] == "identify"]
        # Recorded from when the page reports the overlay drawn (on a loaded machine up
        # some seconds after the player put it up) to the end of its IDENTIFY_SECONDS.
        assert len(shown) == 1 and 0 < shown[0]["seconds"] < IDENTIFY_SECONDS + 1.5
        before = next(r for r in plays if r["seq"] == shown[0]["seq"] - 1)
        assert before["ended"] == "identify"
    # Chained without a break, and the controller found nothing wrong.
    with sqlite3.connect(data / "pano.db") as db:
        rows = db.execute("SELECT seq, prev_hash, hash FROM play_records WHERE screen_id = ? "
                          "ORDER BY seq", (SCREEN,)).fetchall()
        findings = db.execute("SELECT kind, detail FROM play_findings WHERE screen_id = ?",
                              (SCREEN,)).fetchall()
    assert [seq for seq, _, _ in rows] == sorted(r["seq"] for r in plays)
    for (_, _, before_hash), (_, prev, _) in zip(rows, rows[1:], strict=False):
        assert prev == before_hash
    assert [f for f in findings if f[0] not in ("new_journal",)] == []


def test_a_journal_tampered_with_on_the_card_is_declared_and_reported(tmp_path):
    """A record changed on the player's card while it was offline (its hash kept, as a
    careless or dishonest edit would) is never stored as it reads: the player finds the
    line fails its check and declares what it cannot vouch for as lost, the controller
    records the declared loss as a finding, and the day's report shows it."""
    since = datetime.now(UTC) - timedelta(minutes=1)
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    token, admin = screen_token(data, SCREEN), admin_token(data)
    controller = Controller(data, env={"PANO_HEARTBEAT_INTERVAL": "1"}).start()
    player = Player(controller.url, SCREEN, token, tmp_path / "cache", display="headless",
                    extra=["--backoff-cap", "1"])
    try:
        player.start()
        wait_for(lambda: (j := journal(player))["connected"] and j["stored_through"] >= 3,
                 timeout=40, what="records stored online")
        controller.kill()
        wait_for(lambda: not journal(player)["connected"], what="the player offline")
        stored = journal(player)["stored_through"]
        wait_for(lambda: journal(player)["last_seq"] >= stored + 6, timeout=20,
                 what="records written offline")
        player.stop()
        forged = _tamper(tmp_path / "cache" / "journal", after=stored)
        player.start()
        wait_for(lambda: journal(player)["last_seq"] > forged + 3, timeout=20,
                 what="records written after the restart")
        controller.start()
        wait_for(lambda: (j := journal(player))["connected"] and j["pending"] == 0,
                 timeout=60, what="the backlog stored")
        plays = all_plays(controller, admin, since)
        report = day_report(controller, admin, since)
    finally:
        player.stop()
        controller.stop()
    assert not any(r.get("item") == "forged" for r in plays)
    assert all(r["seq"] != forged or r["kind"] == "loss" for r in plays)
    losses = [r for r in plays if r["kind"] == "loss"]
    assert losses, "the damaged records were not declared"
    assert report["findings"]["by_kind"].get("declared_loss", 0) >= 1
    assert "break" not in report["findings"]["by_kind"]


def _tamper(folder, after: int) -> int:
    """Change the item of the first unsent item record in the plain segment, keeping
    its hash; returns its seq."""
    for segment in sorted(folder.glob("seg-*.jsonl")):
        lines = segment.read_bytes().splitlines(keepends=True)
        for i, line in enumerate(lines):
            record = json.loads(line)
            if record["seq"] > after and record["kind"] == "item" and record.get("item"):
                old = f'"item":"{record["item"]}"'.encode()
                assert old in line, line
                lines[i] = line.replace(old, b'"item":"forged"')
                segment.write_bytes(b"".join(lines))
                return int(record["seq"])
    raise AssertionError(f"no unsent item record in {sorted(folder.iterdir())}")
