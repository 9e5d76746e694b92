"""Screenshots of the web panel's main pages for docs/ and the README.

    .venv/bin/python scripts/panel_screenshots.py [--all] [OUT_DIR]  # docs/screenshots

Starts a real controller on a free 127.0.0.1 port over a temporary database with the
demo content (sites, agencies, playlists, schedules) and demo people, connects a few
Socket.IO players that send heartbeats (the other screens stay offline), puts one
edited playlist in review and one emergency on the A Đớt screens, then photographs each
page with Debian's Chromium (Playwright), in Vietnamese and English, on a desktop and a
tablet window. Nothing outside the temporary directory and OUT_DIR is touched."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import socketio
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from controller.auth.tokens import issue_screen_token, issue_user_token  # noqa: E402
from controller.auth.users import add_user  # noqa: E402
from controller.content.import_all import import_content  # noqa: E402
from controller.db import make_engine, make_session_factory, upgrade  # noqa: E402
from controller.server import ControllerServer  # noqa: E402
from controller.settings import Settings, load_settings  # noqa: E402

PASSWORD = "correct horse battery"
PEOPLE = {"lan": ("editor", "tourism"), "hoa": ("approver", "dic"),
          "tuan": ("technician", None), "minh": ("emergency", "dic"),
          "quan-tri": ("admin", "dic")}
LIVE_SCREENS = {"phu-bai-arrivals": 52.4, "phu-bai-baggage": 74.5,
                "chan-may-cruise-terminal": 48.0, "a-dot-entry-hall": 61.2}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900},
             "tablet": {"width": 820, "height": 1180}}
# (file name, person, path, selector that shows the page has its data)
SHOTS = [
    ("fleet", "tuan", "/panel/fleet", "text=phu-bai-arrivals"),
    ("playlists", "lan", "/panel/playlists", "text=Festival"),
    ("playlist-editor", "lan", "/panel/playlists/happy-hue-2025", ".pl-item"),
    ("review", "hoa", "/panel/review/welcome-hue", "ins, .diff, del"),
    ("schedules", "lan", "/panel/schedules?site=phu-bai-airport", ".slot"),
    ("preview", "lan", "/panel/preview", "img"),
    ("emergency", "minh", "/panel/emergency", "body"),
    ("emergency-board", "minh", "/panel/emergency/1", "#receipts tbody tr"),
    ("audit", "hoa", "/panel/audit", "table"),
    ("login", None, "/panel/login", "#username"),
    ("people", "quan-tri", "/panel/people", "table"),
]
# What docs/screenshots keeps (every page in Vietnamese on a desktop, some in English
# and on a tablet); --all photographs every page in both languages and both windows.
KEEP = ({(name, "vi", "desktop") for name, *_ in SHOTS}
        | {(name, "en", "desktop") for name in ("fleet", "playlist-editor", "emergency-board")}
        | {(name, "vi", "tablet") for name in ("fleet", "playlist-editor", "review")})


def seed(settings: Settings) -> dict[str, str]:
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    tokens: dict[str, str] = {}
    with make_session_factory(engine)() as session:
        import_content(session, settings, agencies=REPO / "config" / "agencies.yaml",
                       sites=REPO / "config" / "sites.yaml", playlists=REPO / "playlists",
                       schedules=REPO / "config" / "schedules.yaml", media_dir=REPO / "media",
                       sources=REPO / "config" / "sources.yaml",
                       templates=REPO / "config" / "data_templates.yaml",
                       layouts=REPO / "config" / "layouts.yaml")
        session.commit()
        for name, (role, agency) in PEOPLE.items():
            add_user(session, name, role, password=PASSWORD, agency=agency)
        session.flush()
        tokens["lan"] = issue_user_token(session, "lan")
        tokens["minh"] = issue_user_token(session, "minh")
        for screen in LIVE_SCREENS:
            tokens[screen] = issue_screen_token(session, screen)
        session.commit()
    engine.dispose()
    return tokens


def heartbeat_forever(url: str, screen: str, token: str, temp: float,
                      stop: threading.Event) -> None:
    client = socketio.Client(reconnection=True)
    now_playing: dict[str, object] = {}

    def on_timeline(body: dict) -> None:
        """Ack like a player that has everything, and 'play' the first item due now."""
        client.emit("ack", {"version": body["version"], "missing": []}, namespace="/player")
        for emergency in body.get("emergencies", []):  # "shown" at once, like a player
            client.emit("emergency_shown", {"id": emergency["id"], "shown_at": datetime.now(
                UTC).isoformat().replace("+00:00", "Z")}, namespace="/player")
        now_iso = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        for segment in body.get("segments", []):
            if segment["from"] <= now_iso < segment["until"]:
                items = body["playlists"][segment["playlist"]]["items"]
                now_playing.update(playlist=segment["playlist"], item=items[0]["id"],
                                   since=now_iso, version=body["version"])
                break

    client.on("timeline", on_timeline, namespace="/player")
    client.connect(url, namespaces=["/player"], transports=["websocket"],
                   auth={"screen": screen, "token": token,
                         "software": "pano-player/0.1.0"})
    started = time.time()
    while not stop.is_set():
        playing = {k: v for k, v in now_playing.items() if k != "version"} or None
        client.call("heartbeat", {
            "timeline_version": now_playing.get("version"), "playing": playing,
            "uptime": 86400 + time.time() - started, "load": [0.21, 0.18, 0.15],
            "memory": {"total": 3951120384, "available": 2870087680},
            "disk": {"total": 31205621760, "free": 20415332352}, "cpu_temp": temp,
            "software": "pano-player/0.1.0", "clock_offset": 0.012}, namespace="/player")
        stop.wait(1.0)
    client.disconnect()


def put_in_review(url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    api = url + "/api/v1/playlists/welcome-hue"
    current = requests.get(api, headers=headers, timeout=10).json()
    on_air = current["on_air"]
    items = requests.get(f"{api}/versions/{on_air}", headers=headers,
                         timeout=10).json()["items"]
    items[0]["duration"] = items[0].get("duration", 10) + 5
    for lang, variant in items[0]["variants"].items():
        if "title" in variant:
            variant["title"] += " — 2026" if lang != "vi" else " — năm 2026"
    draft = requests.put(f"{api}/draft", json={"items": items}, headers=headers, timeout=10)
    assert draft.ok, draft.text
    number = requests.get(api, headers=headers, timeout=10).json()["working"]["number"]
    submitted = requests.post(f"{api}/versions/{number}/submit", headers=headers, timeout=10)
    assert submitted.ok, submitted.text


def send_emergency(url: str, token: str) -> None:
    now = datetime.now(UTC)
    sent = requests.post(url + "/api/v1/emergencies", timeout=10,
                  headers={"Authorization": f"Bearer {token}"},
                  json={"targets": {"sites": ["a-dot-border-gate"]},
                        "starts_at": now.isoformat(),
                        "ends_at": (now + timedelta(hours=2)).isoformat(),
                        "messages": {
                            "vi": {"title": "Tạm dừng thông quan", "body":
                                   "Cửa khẩu A Đớt tạm dừng thông quan đến 14:00."},
                            "lo": {"title": "ປິດດ່ານຊົ່ວຄາວ", "body":
                                   "ດ່ານ A Đớt ປິດຊົ່ວຄາວຮອດ 14:00."},
                            "en": {"title": "Border crossing paused", "body":
                                   "A Đớt border gate is closed to traffic until 14:00."}}})
    assert sent.ok, sent.text


def main(out: Path, everything: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = dataclasses.replace(
            load_settings(data_dir=Path(tmp), media_source_dir=REPO / "media",
                          config_dir=REPO / "config"),
            port=0, heartbeat_interval=2.0, secret_key="screenshots-" + "x" * 40)
        tokens = seed(settings)
        server = ControllerServer(settings).start()
        stop = threading.Event()
        threads = [threading.Thread(target=heartbeat_forever, daemon=True,
                                    args=(server.url, s, tokens[s], t, stop))
                   for s, t in LIVE_SCREENS.items()]
        try:
            for thread in threads:
                thread.start()
            put_in_review(server.url, tokens["lan"])
            send_emergency(server.url, tokens["minh"])
            time.sleep(3)
            shoot(server.url, out, everything)
        finally:
            stop.set()
            server.stop()


def shoot(base: str, out: Path, everything: bool) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for lang in ("vi", "en"):
            for viewport in ("desktop", "tablet"):
                for name, person, path, ready in SHOTS:
                    if not everything and (name, lang, viewport) not in KEEP:
                        continue
                    context = browser.new_context(viewport=VIEWPORTS[viewport],
                                                  timezone_id="Asia/Ho_Chi_Minh")
                    page = context.new_page()
                    if person:
                        page.goto(base + "/panel/login")
                        page.fill("#username", person)
                        page.fill("#password", PASSWORD)
                        page.click("button.primary")
                        page.wait_for_url(lambda url: "/login" not in url)
                    if lang == "en":
                        page.goto(base + "/panel/login" if not person else base + path)
                        page.click(".langswitch button[value=en]")
                    page.goto(base + path)
                    try:
                        page.wait_for_selector(ready, timeout=10_000)
                    except Exception:  # noqa: BLE001 - still photograph what is there
                        print(f"  {name}: {ready!r} not seen; photographing anyway")
                    page.wait_for_timeout(1500)  # let live data and images settle
                    target = out / f"panel-{name}-{lang}-{viewport}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target.relative_to(REPO) if target.is_relative_to(REPO)
                          else target)
                    context.close()
        browser.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--all"]
    main(Path(args[0]) if args else REPO / "docs" / "screenshots", "--all" in sys.argv)
