"""The bounds of every controller setting, checked once they are merged
(``controller.settings.load_settings``): a value out of them is refused with a message
that names the setting and what it accepts, before anything starts."""

from __future__ import annotations

import re

from controller.languages import LanguageError, check_config
from controller.settings import ASYNC_MODES, JOBS_WORKER_MODES, Settings, SettingsError


def check(s: Settings) -> None:
    """SettingsError, naming the setting and what it accepts, for the first value out of
    its bounds (``load_settings`` calls it on the merged settings)."""
    if not 1 <= s.port <= 65535:
        raise SettingsError(f"port must be between 1 and 65535, got {s.port}")
    if s.async_mode not in ASYNC_MODES:
        raise SettingsError(f"async_mode must be threading or gevent, got {s.async_mode!r}")
    if not (s.heartbeat_interval > 0):
        raise SettingsError(f"heartbeat_interval must be > 0 seconds, got {s.heartbeat_interval}")
    if not 0 <= s.screen_truth_tolerance <= 64 or not 0 <= s.screen_truth_frozen_distance <= 64:
        raise SettingsError("screen_truth_tolerance and screen_truth_frozen_distance are "
                            "numbers of differing bits, 0 to 64; got "
                            f"{s.screen_truth_tolerance} and {s.screen_truth_frozen_distance}")
    if not 1 <= s.screen_truth_black_level <= 255:
        raise SettingsError("screen_truth_black_level is a grey level, 1 to 255; got "
                            f"{s.screen_truth_black_level}")
    if not s.screen_truth_min_spacing >= 0:
        raise SettingsError("screen_truth_min_spacing must be >= 0 seconds, got "
                            f"{s.screen_truth_min_spacing}")
    if not (s.change_poll_interval > 0):
        raise SettingsError(
            f"change_poll_interval must be > 0 seconds, got {s.change_poll_interval}")
    if not 1 <= s.leader_ttl <= 60:
        raise SettingsError(f"leader_ttl must be between 1 and 60 seconds, got {s.leader_ttl}")
    if not 3 <= s.process_ttl <= 3600:
        raise SettingsError(f"process_ttl must be between 3 and 3600 seconds, got {s.process_ttl}")
    if not s.host.strip():
        raise SettingsError("host must not be empty")
    if not 0 <= s.proxy_count <= 5:
        raise SettingsError(f"proxy_count must be between 0 and 5, got {s.proxy_count}")
    if not s.message_queue_channel.strip():
        raise SettingsError("message_queue_channel must not be empty")
    if s.public_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", s.public_url):
        raise SettingsError(f"public_url must be an http:// or https:// address, got "
                            f"{s.public_url!r}")
    if not 1 <= s.max_upload_mb <= 65536:
        raise SettingsError(f"max_upload_mb must be between 1 and 65536, got "
                            f"{s.max_upload_mb}")
    if not 1_000_000 <= s.max_image_pixels <= 1_000_000_000:
        raise SettingsError("max_image_pixels must be between 1000000 and 1000000000, got "
                            f"{s.max_image_pixels}")
    if not 0 <= s.sweep_grace_hours <= 8760:
        raise SettingsError("sweep_grace_hours must be between 0 and 8760 (a year), got "
                            f"{s.sweep_grace_hours}")
    if s.jobs_worker not in JOBS_WORKER_MODES:
        raise SettingsError(f"jobs_worker must be embedded, external or thread, got "
                            f"{s.jobs_worker!r}")
    if s.jobs_worker == "thread" and s.async_mode == "gevent":
        raise SettingsError("jobs_worker: thread runs jobs inside the serving process, "
                            "which gevent cannot share with CPU-heavy work; use embedded")
    if not 1 <= s.jobs_workers <= 64:
        raise SettingsError(f"jobs_workers must be between 1 and 64, got {s.jobs_workers}")
    if not 0 <= s.jobs_wait <= 300:
        raise SettingsError(f"jobs_wait must be between 0 and 300 seconds, got {s.jobs_wait}")
    if s.metrics_token and not 16 <= len(s.metrics_token) <= 200:
        raise SettingsError("metrics_token must be 16 to 200 characters (e.g. the output "
                            "of 'openssl rand -hex 24'), or empty for no token")
    if s.jobs_url and not re.fullmatch(r"(rediss?://\S+|sqlite:///\S+)", s.jobs_url):
        raise SettingsError(f"jobs_url must be a redis://, rediss:// or sqlite:/// address, "
                            f"got {s.jobs_url!r}")
    if not 0.2 <= s.alerts_interval <= 3600:
        raise SettingsError(f"alerts_interval must be between 0.2 and 3600 seconds, got "
                            f"{s.alerts_interval}")
    try:
        check_config(s.languages, s.required_languages)
    except LanguageError as exc:
        raise SettingsError(str(exc)) from None
