"""Player settings from a YAML file (config/player.example.yaml) and command-line flags."""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from player.power import DEFAULT_REBOOT_COMMAND

DISPLAYS = ("headless", "kiosk")
KEYS = ("controller", "screen", "token", "token_file", "cache_dir", "display", "http_port",
        "heartbeat_interval", "backoff_cap", "http_poll_interval", "devtools_url",
        "screenshot_command", "journal_max_mb", "reboot_command", "capture_interval",
        "page_alive_interval")


class ConfigError(Exception):
    """A missing or broken setting; the message is one line for the operator."""


@dataclass(frozen=True)
class PlayerConfig:
    controller: str
    screen: str
    token: str
    cache_dir: Path
    display: str = "kiosk"
    http_port: int = 8090
    heartbeat_interval: float | None = None  # None: what the controller says (15 s)
    backoff_cap: float = 60.0  # longest wait between reconnection attempts, seconds
    # HTTP mode (player/http_mode.py, a proxy that blocks WebSockets): seconds between
    # two fetches of the timeline; the WebSocket is tried again every 4–6 of them.
    http_poll_interval: float = 60.0
    # The screenshot command (docs/operations.md): Chromium's DevTools endpoint, e.g.
    # http://127.0.0.1:9222, else a shell command writing a PNG to stdout (``grim -``).
    devtools_url: str | None = None
    screenshot_command: str | None = None
    # The play journal's disk budget in MiB (player/journal.py; docs/operations.md).
    journal_max_mb: int = 64
    # The ``reboot`` command's command line (player/power.py; empty: reboot disabled).
    # Empty when a PlayerConfig is made in code (tests: never reboot the machine they
    # run on); ``build()``, i.e. pano-player's flags and file, defaults to
    # DEFAULT_REBOOT_COMMAND.
    reboot_command: str = ""
    # Screen truth (docs/operations.md "Is the screen really showing it?"): minutes
    # between periodic captures of the display, uploaded for the controller to judge
    # (player/periodic_capture.py; 0: none), and seconds between the kiosk page's
    # "alive" reports (player/page_alive.py).
    capture_interval: float = 5.0
    page_alive_interval: float = 5.0


def read_file(path: str | Path) -> dict:
    """The settings in a YAML file, or ConfigError saying what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"config file {path} is not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings, not a "
                          f"{type(data).__name__}")
    unknown = sorted(set(map(str, data)) - set(KEYS))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)} "
                          f"(known: {', '.join(KEYS)})")
    return data


TOKEN_ENV = "PANO_TOKEN"
MAX_TOKEN_FILE = 4096  # bytes: a credential is ~50; anything longer is the wrong file


def read_token_file(path: str | Path) -> str:
    """The credential in ``path`` (its first line), refused unless only its owner may
    read it (mode 0600 or 0400, as ssh refuses a private key others can read)."""
    path = Path(path).expanduser()
    try:
        with path.open("rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            data = f.read(MAX_TOKEN_FILE + 1)
    except FileNotFoundError:
        raise ConfigError(f"token file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    if mode & 0o077:
        raise ConfigError(f"token file {path} may be read by other users (mode "
                          f"{stat.S_IMODE(mode):04o}): chmod 600 {path}")
    if len(data) > MAX_TOKEN_FILE:
        raise ConfigError(f"token file {path} is longer than {MAX_TOKEN_FILE} bytes: "
                          "it should hold only the screen's credential")
    try:
        token = data.decode("utf-8").strip().splitlines()[0].strip() if data.strip() else ""
    except UnicodeDecodeError:
        raise ConfigError(f"token file {path} is not text") from None
    if not token:
        raise ConfigError(f"token file {path} is empty (pano-controller screens token ID)")
    return token


def resolve_token(settings: dict, environ: Mapping[str, str]) -> None:
    """Where the credential comes from, first found: ``--token`` / ``token:``, the
    ``PANO_TOKEN`` environment variable, ``--token-file`` / ``token_file:``."""
    if settings.get("token") is None and environ.get(TOKEN_ENV, "").strip():
        settings["token"] = environ[TOKEN_ENV].strip()
    if settings.get("token") is None and settings.get("token_file"):
        settings["token"] = read_token_file(str(settings["token_file"]))


def build(settings: dict, environ: Mapping[str, str] | None = None) -> PlayerConfig:
    """Check merged settings and make a PlayerConfig, or raise ConfigError."""
    settings = dict(settings)
    resolve_token(settings, os.environ if environ is None else environ)
    for key in ("controller", "screen", "token", "cache_dir"):
        value = settings.get(key)
        if value is None or str(value).strip() == "":
            flag = "--" + key.replace("_", "-")
            if key == "token":
                raise ConfigError("missing setting 'token' (give --token-file, the "
                                  f"{TOKEN_ENV} environment variable, or put it in --config)")
            raise ConfigError(f"missing setting '{key}' (give {flag} or put it in --config)")
    controller = str(settings["controller"]).strip().rstrip("/")
    parts = urlsplit(controller)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"controller must be an http(s) URL such as http://10.0.0.5:8080, "
                          f"got {controller!r}")
    display = str(settings.get("display") or "kiosk")
    if display not in DISPLAYS:
        raise ConfigError(f"display must be one of {', '.join(DISPLAYS)}, got {display!r}")
    port = settings.get("http_port", 8090)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"http_port must be an integer 0…65535, got {port!r}")
    interval = settings.get("heartbeat_interval")
    if interval is not None and (isinstance(interval, bool)
                                 or not isinstance(interval, int | float) or interval <= 0):
        raise ConfigError(f"heartbeat_interval must be a number of seconds > 0, got {interval!r}")
    cap = settings.get("backoff_cap", 60.0)
    if isinstance(cap, bool) or not isinstance(cap, int | float) or not 0.1 <= cap <= 3600:
        raise ConfigError(f"backoff_cap must be a number of seconds 0.1…3600, got {cap!r}")
    poll = settings.get("http_poll_interval", 60.0)
    if isinstance(poll, bool) or not isinstance(poll, int | float) or not 1 <= poll <= 3600:
        raise ConfigError(f"http_poll_interval must be a number of seconds 1…3600, got "
                          f"{poll!r}")
    devtools = settings.get("devtools_url")
    if devtools is not None and str(devtools).strip():
        devtools = str(devtools).strip().rstrip("/")
        parts = urlsplit(devtools)
        if parts.scheme != "http" or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(f"devtools_url must be Chromium's DevTools address such as "
                              f"http://127.0.0.1:9222, got {devtools!r}")
    else:
        devtools = None
    shot = settings.get("screenshot_command")
    if shot is not None and not isinstance(shot, str):
        raise ConfigError(f"screenshot_command must be a shell command (a string), got "
                          f"{shot!r}")
    budget = settings.get("journal_max_mb", 64)
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= 4096:
        raise ConfigError(f"journal_max_mb must be a whole number of MiB 1…4096, got "
                          f"{budget!r}")
    reboot = settings.get("reboot_command", DEFAULT_REBOOT_COMMAND)
    if reboot is None:
        reboot = DEFAULT_REBOOT_COMMAND
    if not isinstance(reboot, str) or len(reboot) > 1000:
        raise ConfigError(f"reboot_command must be a command line (a string of at most "
                          f"1000 characters; empty disables reboot), got {reboot!r:.100}")
    try:
        shlex.split(reboot)
    except ValueError as exc:
        raise ConfigError(f"reboot_command {reboot!r:.100} cannot be read as a command "
                          f"line: {exc}") from None
    capture = _bounded(settings, "capture_interval", 5.0, 0, 1440,
                       "a number of minutes 0…1440 (0: no periodic captures)")
    alive = _bounded(settings, "page_alive_interval", 5.0, 0.1, 60,
                     "a number of seconds 0.1…60")
    return PlayerConfig(
        controller=controller,
        screen=str(settings["screen"]).strip(),
        token=str(settings["token"]).strip(),
        cache_dir=Path(str(settings["cache_dir"])).expanduser(),
        display=display,
        http_port=port,
        heartbeat_interval=None if interval is None else float(interval),
        backoff_cap=float(cap),
        http_poll_interval=float(poll),
        devtools_url=devtools,
        screenshot_command=(shot or "").strip() or None,
        journal_max_mb=budget,
        reboot_command=reboot.strip(),
        capture_interval=capture,
        page_alive_interval=alive,
    )


def _bounded(settings: dict, key: str, default: float, low: float, high: float,
             says: str) -> float:
    value = settings.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not low <= value <= high:
        raise ConfigError(f"{key} must be {says}, got {value!r:.40}")
    return float(value)
