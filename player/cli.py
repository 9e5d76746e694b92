"""``pano-player``: start playing the saved timeline at once, then connect and keep it fresh."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from player import SOFTWARE
from player.agent import Agent
from player.cache import MediaCache
from player.clock import Clock
from player.commands import CommandRunner, DisplayControl
from player.config import DISPLAYS, KEYS, ConfigError, PlayerConfig, build, read_file
from player.display import make_routes
from player.journal import Journal
from player.journal_sender import JournalSender
from player.page_alive import PageAlive
from player.periodic_capture import PeriodicCapture
from player.play_recorder import PlayRecorder
from player.playback import Playback
from player.power import DEFAULT_REBOOT_COMMAND, reexec
from player.receipts import Receipts
from player.state import PlayerState
from player.status_server import PlayerHTTPServer, status_document
from player.store import Store
from player.verifier import CacheVerifier

log = logging.getLogger("pano.player")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="pano-player",
        description="Pano player: plays this screen's timeline from a local cache, "
                    "online or offline.")
    parser.add_argument("--config", help="YAML settings file (flags override it)")
    parser.add_argument("--controller", help="controller base URL, e.g. http://10.0.0.5:8080")
    parser.add_argument("--screen", help="this screen's id")
    parser.add_argument("--token", help="this screen's credential (visible to every local "
                                         "user in ps: prefer --token-file or PANO_TOKEN)")
    parser.add_argument("--token-file", dest="token_file",
                        help="file holding this screen's credential, mode 0600")
    parser.add_argument("--cache-dir", dest="cache_dir", help="where timeline and media live")
    parser.add_argument("--display", choices=DISPLAYS, help="kiosk (default) or headless")
    parser.add_argument("--http-port", dest="http_port", type=int,
                        help="port of the page and /status on 127.0.0.1 (default 8090; "
                             "0 picks a free one and prints it)")
    parser.add_argument("--heartbeat-interval", dest="heartbeat_interval", type=float,
                        help="seconds between heartbeats (default: what the controller says)")
    parser.add_argument("--backoff-cap", dest="backoff_cap", type=float,
                        help="longest wait between reconnection attempts, seconds (default 60)")
    parser.add_argument("--http-poll-interval", dest="http_poll_interval", type=float,
                        help="in HTTP mode (a proxy blocks WebSockets), seconds between "
                             "two fetches of the timeline (default 60)")
    parser.add_argument("--devtools-url", dest="devtools_url",
                        help="Chromium's DevTools address for screenshots, e.g. "
                             "http://127.0.0.1:9222 (chromium --remote-debugging-port=9222)")
    parser.add_argument("--screenshot-command", dest="screenshot_command",
                        help="shell command writing a PNG of the screen to stdout, used "
                             "when there is no --devtools-url (e.g. 'grim -')")
    parser.add_argument("--journal-max-mb", dest="journal_max_mb", type=int,
                        help="disk budget of the play journal, MiB (default 64)")
    parser.add_argument("--capture-interval", dest="capture_interval", type=float,
                        help="minutes between periodic captures of the display for the "
                             "controller to judge (0: none; default 5)")
    parser.add_argument("--page-alive-interval", dest="page_alive_interval", type=float,
                        help="seconds between the kiosk page's alive reports (default 5)")
    parser.add_argument("--reboot-command", dest="reboot_command",
                        help="command line the 'reboot' command runs, without a shell "
                             f"(default {DEFAULT_REBOOT_COMMAND!r}; '' disables it)")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def load_config(args: argparse.Namespace) -> PlayerConfig:
    if args.token is not None:
        log.warning("the credential given with --token is visible to every user of this "
                    "machine (ps, /proc); use --token-file (mode 0600) or PANO_TOKEN")
    settings: dict = read_file(args.config) if args.config else {}
    for key in KEYS:
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    return build(settings)


def open_journal(config: PlayerConfig,
                 clock: Clock) -> tuple[Journal | None, PlayRecorder | None]:
    """The play journal and its recorder: a kiosk records what its page confirms on
    screen, a headless player what its loop decides (player/play_recorder.py). A journal
    that cannot be opened (a read-only or failing card) is logged, and the screen plays
    on without proof of play rather than not at all."""
    try:
        journal = Journal(config.cache_dir, config.journal_max_mb * 2**20,
                          source="kiosk" if config.display == "kiosk" else "headless")
        recorder = PlayRecorder(journal, clock)
        recorder.resume()
    except OSError as exc:
        log.error("the play journal in %s cannot be used, playing without it (no proof "
                  "of play until this is fixed): %s", config.cache_dir, exc)
        return None, None
    return journal, recorder


class Player:
    """All the parts, wired together; ``start()`` then ``stop()``."""

    def __init__(self, config: PlayerConfig) -> None:
        self.config = config
        self.stop_event = threading.Event()
        self.store = Store(config.cache_dir)
        self.clock = Clock(self.store.load_clock_offset())
        self.state = PlayerState(self.store.load_timeline())
        self.cache = MediaCache(config.cache_dir, config.controller, config.token)
        self.cache.learn(self.state.timeline)  # sizes to check the cached files against
        self.receipts = Receipts(config.cache_dir)
        self.journal, self.recorder = open_journal(config, self.clock)
        self.playback = Playback(self.state, self.clock, self.cache, self.receipts.shown,
                                 self.recorder, records_decisions=config.display != "kiosk")
        # Checks every cached file after the start, what plays first first (cache.py).
        self.verifier = CacheVerifier(self.cache, self.playback.media_in_play_order)
        self.playback.verifier = self.verifier
        # Remote commands; the kiosk page shows what they change (identify, reload).
        self.control = DisplayControl() if config.display == "kiosk" else None
        self.commands = CommandRunner(config, self.state, self.cache, self.clock,
                                      self.control)
        self.agent = Agent(config, self.state, self.store, self.cache, self.clock,
                           receipts=self.receipts, commands=self.commands)
        self.sender = None if self.journal is None else JournalSender(
            self.journal, self.agent.call, lambda: self.state.connected)
        # Whether the kiosk page is alive (player/page_alive.py); a headless player has
        # no page, and says so.
        self.alive = PageAlive(config.page_alive_interval)
        self.agent.display = self.alive.document
        # A kiosk captures what its page confirmed (player/periodic_capture.py).
        page = self.recorder.on_screen_since \
            if config.display == "kiosk" and self.recorder is not None else None
        self.capture = PeriodicCapture(config, self.state, self.clock, page)
        routes = make_routes(config.display, self.playback, self.state, self.cache,
                             self.control, self.recorder, self.alive)
        self.http = PlayerHTTPServer(
            config.http_port, lambda: status_document(config.screen, self.state, self.clock,
                                                      self.cache, self.journal,
                                                      self.alive.document()), routes)
        self.threads: list[threading.Thread] = []
        self.journal_threads: list[threading.Thread] = []

    def start(self) -> None:
        timeline = self.state.timeline
        if timeline is not None:
            log.info("playing saved timeline v%d before connecting", timeline["version"])
        else:
            log.info("no saved timeline yet; idle until the controller sends one")
        self.threads = [
            threading.Thread(target=self.playback.run, args=(self.stop_event,),
                             name="playback", daemon=True),
            threading.Thread(target=self.agent.run, args=(self.stop_event,),
                             name="agent", daemon=True),
            threading.Thread(target=self.verifier.run, args=(self.stop_event,),
                             name="cache-check", daemon=True),
        ]
        threading.Thread(target=self.capture.run, args=(self.stop_event,),
                         name="periodic-capture", daemon=True).start()  # nothing to save
        if self.journal is not None and self.sender is not None:
            self.journal_threads = [
                threading.Thread(target=self.journal.run, args=(self.stop_event,),
                                 name="journal-fsync", daemon=True),
                threading.Thread(target=self.sender.run, args=(self.stop_event,),
                                 name="journal-sender", daemon=True)]
        for thread in self.threads + self.journal_threads:
            thread.start()
        self.threads.append(self.http.start())
        log.info("%s for screen %s: %s display on http://127.0.0.1:%d/", SOFTWARE,
                 self.config.screen, self.config.display, self.http.port)

    def stop(self) -> None:
        self.stop_event.set()
        self.http.stop()
        for thread in self.threads[:2]:
            thread.join(timeout=15)
        self.threads[2].join(timeout=1)  # a check only reads (and deletes): nothing to save
        for thread in self.journal_threads:
            thread.join(timeout=12)
        if self.journal is not None and self.recorder is not None:
            self.recorder.stop()  # the record on screen ends with "stop"
            self.journal.close()  # fsynced
        log.info("stopped")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage line
        return int(exc.code or 0)
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"pano-player: {exc}", file=sys.stderr)
        return 2
    try:
        player = Player(config)
    except OSError as exc:
        what = "HTTP port" if getattr(exc, "errno", None) in (98, 13) else "start-up"
        print(f"pano-player: {what} error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    restart = threading.Event()

    def on_restart() -> None:  # the ``restart`` command, once answered (player/power.py)
        restart.set()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    player.commands.restart = on_restart
    player.start()
    if config.http_port == 0:
        print(f"http_port={player.http.port}", flush=True)
    while not stop.wait(1.0):
        pass
    player.stop()
    if restart.is_set():
        return reexec()  # returns only if re-executing failed
    return 0


if __name__ == "__main__":
    sys.exit(main())
