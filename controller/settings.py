"""Controller settings: embedded defaults < ``config/controller.yaml`` < ``PANO_*``
environment variables < explicit overrides (command-line options)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from controller.content.yamlfile import LineDict, YamlError, describe, load_yaml
from controller.languages import (
    DEFAULT_LANGUAGES,
    DEFAULT_REQUIRED,
    Language,
    LanguageConfig,
    LanguageError,
    parse_languages,
    parse_required,
)

DEFAULT_CONFIG_FILE = Path("config") / "controller.yaml"
ASYNC_MODES = ("threading", "gevent")
# Who runs the job queue's consumer (controller/jobs/, docs/operations.md "Jobs"):
# a subprocess the controller starts and watches, a separate `pano-controller worker`
# (systemd unit, other machines), or threads of the serving process (tests only).
JOBS_WORKER_MODES = ("embedded", "external", "thread")
ENV_VARS = {
    "PANO_PORT": "port",
    "PANO_HOST": "host",
    "PANO_DATA_DIR": "data_dir",
    "PANO_DATABASE_URL": "database_url",
    "PANO_ASYNC_MODE": "async_mode",
    "PANO_MESSAGE_QUEUE": "message_queue",
    "PANO_SECRET_KEY": "secret_key",
    "PANO_HEARTBEAT_INTERVAL": "heartbeat_interval",
    "PANO_CHANGE_POLL_INTERVAL": "change_poll_interval",
    "PANO_MESSAGE_QUEUE_CHANNEL": "message_queue_channel",
    "PANO_SCHEDULER": "scheduler",
    "PANO_LEADER_TTL": "leader_ttl",
    "PANO_PROCESS_TTL": "process_ttl",
    "PANO_REQUIRED_LANGUAGES": "required_languages",  # comma-separated: vi,en
    "PANO_PUBLIC_URL": "public_url",
    "PANO_QR_ALLOWED_DOMAINS": "qr_allowed_domains",  # comma-separated
    "PANO_SOURCE_ALLOWED_DOMAINS": "source_allowed_domains",  # comma-separated
    "PANO_MAX_UPLOAD_MB": "max_upload_mb",
    "PANO_SWEEP_GRACE_HOURS": "sweep_grace_hours",
    "PANO_JOBS_URL": "jobs_url",
    "PANO_JOBS_WORKER": "jobs_worker",
    "PANO_JOBS_WORKERS": "jobs_workers",
    "PANO_JOBS_WAIT": "jobs_wait",
    "PANO_METRICS_TOKEN": "metrics_token",
    "PANO_METRICS_ALLOW": "metrics_allow",  # comma-separated addresses or networks
    "PANO_SCREEN_TRUTH_MIN_SPACING": "screen_truth_min_spacing",
    "PANO_ALERTS_INTERVAL": "alerts_interval",
    "PANO_ALERTS_CONFIG": "alerts_config",
}
# Official sites a QR code may lead to (docs/media.md): a pattern "*.gov.vn" matches
# any subdomain of gov.vn, not gov.vn itself.
DEFAULT_QR_DOMAINS = ("*.gov.vn", "vietnam.vn", "*.vietnam.vn", "hue.gov.vn",
                      "huefestival.com", "*.huefestival.com")
# Hosts the data sources (config/sources.yaml, docs/sources.md) may be fetched from:
# the same patterns; "pano.example" is the demo's (a reserved name that never resolves).
DEFAULT_SOURCE_DOMAINS = ("*.gov.vn", "vietnam.vn", "*.vietnam.vn", "pano.example",
                          "*.pano.example")
_DOMAIN_RE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A setting is missing, unknown or out of range; the message says which and where."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("var")
    database_url: str = ""
    async_mode: str = "threading"
    message_queue: str = ""
    # Pub/sub channel on the message queue; processes of one deployment share it.
    message_queue_channel: str = "pano"
    # Take part in the leader election (controller/leadership/): the one elected process
    # runs the change watcher, APScheduler, the alerts, the presence sweeper and the live
    # panel feed. false: never lead, only serve (docs/operations.md, "Scaling out").
    scheduler: bool = True
    # Seconds a leader's lease lasts without renewal (renewed every third of it): a dead
    # leader is replaced within about this long plus a second.
    leader_ttl: float = 5.0
    # Seconds a serving process may go without refreshing its liveness row before the
    # leader marks its screens disconnected (controller/players/process_liveness.py).
    process_ttl: float = 60.0
    # Reverse proxies in front of the controller whose X-Forwarded-For/-Proto/-Host are
    # trusted (1 behind one nginx). 0: trust none, the peer's address is the client's.
    proxy_count: int = 0
    heartbeat_interval: float = 15.0
    # Seconds between the change watcher's safety-net polls: changes wake it at once
    # (controller/changes_notify/); the poll finds what a lost notification missed.
    change_poll_interval: float = 5.0
    media_source_dir: Path = Path("media")
    config_dir: Path = Path("config")
    secret_key: str = ""
    # Languages content may use, and those every item and every screen must have
    # (controller/languages.py, docs/content.md).
    languages: tuple[Language, ...] = DEFAULT_LANGUAGES
    required_languages: tuple[str, ...] = DEFAULT_REQUIRED
    # The address travellers' phones reach the controller at, for QR short links
    # (https://pano.example.gov.vn). Empty: http://<host>:<port>.
    public_url: str = ""
    qr_allowed_domains: tuple[str, ...] = DEFAULT_QR_DOMAINS
    # The hosts data sources may be fetched from (docs/sources.md); an IP address may be
    # listed too (a feed on the local network), it then matches that address only.
    source_allowed_domains: tuple[str, ...] = DEFAULT_SOURCE_DOMAINS
    # Largest media upload, in MiB; images above max_image_pixels are refused as
    # decompression bombs before they are decoded.
    max_upload_mb: int = 512
    max_image_pixels: int = 64_000_000
    # Housekeeping (docs/operations.md): media files no row names, and leftovers, are
    # removed once unchanged for this long; longer than any import takes.
    sweep_grace_hours: float = 24.0
    # The job queue for CPU-heavy work (imports, uploads' checks): "" = the Redis of
    # message_queue when it is one, else SQLite in data_dir (controller/jobs/queue.py).
    jobs_url: str = ""
    jobs_worker: str = "embedded"
    jobs_workers: int = 2  # worker threads of one worker process
    # How long an upload request waits for its job before answering 202 with the job.
    jobs_wait: float = 15.0
    # Alerts (docs/alerts.md): how often the elected leader evaluates the rules and
    # sends what is due, and the rules/channels file (missing: defaults, no channels).
    alerts_interval: float = 30.0
    alerts_config: Path = Path("config") / "alerts.yaml"
    # Screen truth (controller/screen_truth/, docs/operations.md "Is the screen really
    # showing it?"): a periodic capture differing from the expected frame by more than
    # screen_truth_tolerance of 64 dHash bits is "wrong"; one this close to the previous
    # capture while the item changed is "frozen"; grey levels below black_level are
    # dark. A screen may upload a periodic capture at most every min_spacing seconds.
    screen_truth_tolerance: int = 14
    screen_truth_frozen_distance: int = 3
    screen_truth_black_level: int = 24
    screen_truth_min_spacing: float = 20.0
    # GET /metrics (Prometheus, docs/operations.md "Metrics"): served with this bearer
    # token, or without one to these client addresses / networks; nobody else.
    metrics_token: str = ""
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")

    @property
    def base_url(self) -> str:
        """Where phones reach the controller, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def language_config(self) -> LanguageConfig:
        return LanguageConfig(self.languages, self.required_languages)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).absolute() / 'pano.db'}"

    @property
    def media_dir(self) -> Path:
        # Absolute: Flask's send_file resolves relative paths against the app's package.
        return Path(self.data_dir).absolute() / "media"


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
_LANGUAGE_KEYS = ("languages", "required_languages")


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a raw value (YAML scalar or environment string) into the field's type."""
    kind = _FIELD_TYPES[name]
    if name == "qr_allowed_domains":
        return _domains(value, source)
    if name == "source_allowed_domains":
        return _domains(value, source, name, addresses=True)
    if name == "metrics_allow":
        return _networks(value, source)
    if kind in ("tuple[Language, ...]", "tuple[str, ...]"):
        parse = parse_languages if name == "languages" else parse_required
        try:
            return parse(value, source)
        except LanguageError as exc:
            raise SettingsError(str(exc)) from None
    if kind == "int":
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise SettingsError(f"{source}: {name} must be a whole number, "
                                    f"got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{source}: {name} must be a whole number, got {describe(value)}")
        return value
    if kind == "float":
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise SettingsError(f"{source}: {name} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{source}: {name} must be a number, got {describe(value)}")
        return float(value)
    if kind == "bool":
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        if not isinstance(value, bool):
            raise SettingsError(f"{source}: {name} must be true or false, got {value!r}")
        return value
    if kind == "Path":
        if isinstance(value, Path):
            return value
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{source}: {name} must be a non-empty path, got {value!r}")
        return Path(value)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"{source}: {name} must be text, got {describe(value)}")
    return value


def _domains(value: Any, source: str, name: str = "qr_allowed_domains",
             addresses: bool = False) -> tuple[str, ...]:
    """A list of domain patterns; with ``addresses``, IP addresses are taken too."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise SettingsError(f"{source}: {name} must be a list of domain names "
                            f"such as hue.gov.vn or *.gov.vn, got {describe(value)}")
    out = []
    for item in items:
        if not isinstance(item, str) or not (_DOMAIN_RE.fullmatch(item.strip().lower())
                                             or (addresses and _is_address(item))):
            raise SettingsError(f"{source}: {name}: {item!r} is not a domain "
                                "name (e.g. hue.gov.vn, or *.gov.vn for its subdomains)")
        out.append(item.strip().lower())
    return tuple(dict.fromkeys(out))


def _is_address(item: str) -> bool:
    try:
        ipaddress.ip_address(item.strip())
    except ValueError:
        return False
    return True


def _networks(value: Any, source: str) -> tuple[str, ...]:
    items = [i.strip() for i in value.split(",") if i.strip()] if isinstance(value, str) \
        else value
    if items is None:
        items = []
    if not isinstance(items, list | tuple) or len(items) > 100:
        raise SettingsError(f"{source}: metrics_allow must be a list of at most 100 client "
                            f"addresses or networks such as 127.0.0.1 or 10.0.0.0/8, got "
                            f"{describe(value)}")
    out = []
    for item in items:
        try:
            out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except (AttributeError, ValueError):
            raise SettingsError(f"{source}: metrics_allow: {item!r} is not an IP address "
                                "or network (e.g. 127.0.0.1, ::1, 10.0.0.0/8)") from None
    return tuple(dict.fromkeys(out))


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise SettingsError(str(exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}, line 1: expected a mapping of settings, "
                            f"got {describe(data)}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        line = data.key_lines.get(key) if isinstance(data, LineDict) else None
        source = f"{path}, line {line}" if line else str(path)
        if key not in _FIELD_TYPES:
            raise SettingsError(f"{source}: unknown setting {key!r} "
                                f"(known: {', '.join(sorted(_FIELD_TYPES))})")
        # Language lists name the line of the offending entry themselves.
        out[key] = _coerce(key, value, str(path) if key in _LANGUAGE_KEYS else source)
    return out


def _persistent_secret(data_dir: Path) -> str:
    """Read ``<data_dir>/secret_key``, creating it (mode 0600) on first use. Safe when
    several processes start at once: the file appears complete or not at all."""
    path = data_dir / "secret_key"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)  # fails if another process won the race
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot keep the secret key in {path}: {exc}") from None
    if len(key) < 32:
        raise SettingsError(f"{path} holds a secret key shorter than 32 characters; "
                            "delete it to generate a new one")
    return key


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the YAML file (``config/controller.yaml`` if present, or
    ``config_file``, which must exist), then ``PANO_*`` variables, then ``overrides``
    (None values ignored)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise SettingsError(f"{path}: configuration file not found")
        values.update(_from_file(path))
    elif DEFAULT_CONFIG_FILE.is_file():
        values.update(_from_file(DEFAULT_CONFIG_FILE))
    for env, name in ENV_VARS.items():
        raw = os.environ.get(env)
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw, f"environment variable {env}")
    for name, value in overrides.items():
        if name not in _FIELD_TYPES:
            raise SettingsError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = _coerce(name, value, f"option {name}")
    settings = Settings(**values)
    from controller.settings_checks import check  # it imports this module

    check(settings)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_persistent_secret(Path(settings.data_dir)))
    return settings
