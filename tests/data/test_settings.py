"""Settings: defaults < config file < PANO_* environment < options; clear refusals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from controller.settings import Settings, SettingsError, load_settings

from .conftest import REPO


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PANO_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "config").mkdir(exist_ok=True)
    path = tmp_path / "config" / "controller.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    s = load_settings()
    assert (s.host, s.port, s.async_mode) == ("127.0.0.1", 8080, "threading")
    assert s.db_url == f"sqlite:///{tmp_path / 'var' / 'pano.db'}"
    assert s.media_dir == (tmp_path / "var" / "media")  # absolute: send_file needs it
    assert s.heartbeat_interval == 15.0


def test_repository_config_file_loads() -> None:
    s = load_settings(REPO / "config" / "controller.yaml", secret_key="x" * 40)
    assert s.port == 8080 and s.media_source_dir == Path("media")


def test_file_then_environment_then_overrides(tmp_path: Path, monkeypatch) -> None:
    write_config(tmp_path, "port: 9000\nhost: 0.0.0.0\ndata_dir: data\nasync_mode: gevent\n")
    s = load_settings()
    assert (s.port, s.host, s.async_mode) == (9000, "0.0.0.0", "gevent")
    assert s.db_url == f"sqlite:///{tmp_path / 'data' / 'pano.db'}"
    monkeypatch.setenv("PANO_PORT", "9100")
    monkeypatch.setenv("PANO_HEARTBEAT_INTERVAL", "5")
    s = load_settings()
    assert s.port == 9100 and s.heartbeat_interval == 5.0
    s = load_settings(port=9200, host=None)
    assert s.port == 9200 and s.host == "0.0.0.0"


def test_database_url_wins_over_data_dir(monkeypatch) -> None:
    monkeypatch.setenv("PANO_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert load_settings().db_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("port: 0\n", "port must be between 1 and 65535"),
        ("port: 70000\n", "port must be between 1 and 65535"),
        ("port: '80a'\n", "port must be a whole number"),
        ("async_mode: eventlet\n", "async_mode must be threading or gevent"),
        ("heartbeat_interval: 0\n", "heartbeat_interval must be > 0"),
        ("heartbeat_interval: -3\n", "heartbeat_interval must be > 0"),
        ("process_ttl: 1\n", "process_ttl must be between 3 and 3600"),
        ("host: 127.0.0.1\nprot: 8080\n", "line 2: unknown setting 'prot'"),
        ("port: 1\nport: 2\n", "line 2: duplicate key 'port'"),
        ("- port\n", "expected a mapping"),
        ("a: &x 1\nb: *x\n", "anchors"),
    ],
)
def test_bad_config_file_is_refused(tmp_path: Path, text: str, fragment: str) -> None:
    write_config(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert fragment in str(info.value)


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, "port: 8080\n\nsecretkey: abc\n")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(f"{Path('config/controller.yaml')}, line 3: unknown")
    assert path.exists()


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("PANO_PORT", "eighty", "PANO_PORT: port must be a whole number"),
        ("PANO_PORT", "99999", "port must be between 1 and 65535"),
        ("PANO_ASYNC_MODE", "eventlet", "async_mode must be threading or gevent"),
        ("PANO_HEARTBEAT_INTERVAL", "soon", "heartbeat_interval must be a number"),
        ("PANO_PROCESS_TTL", "a minute", "process_ttl must be a number"),
        ("PANO_PROCESS_TTL", "86400", "process_ttl must be between 3 and 3600"),
    ],
)
def test_bad_environment_is_refused(monkeypatch, name: str, value: str, fragment: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert fragment in str(info.value)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="configuration file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_generated_secret_key_is_private_and_survives_restarts(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path / "d")
    key_file = tmp_path / "d" / "secret_key"
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(data_dir=tmp_path / "d").secret_key == first.secret_key
    assert load_settings(data_dir=tmp_path / "other").secret_key != first.secret_key


def test_configured_secret_key_writes_no_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PANO_SECRET_KEY", "s" * 40)
    s = load_settings(data_dir=tmp_path / "d")
    assert s.secret_key == "s" * 40
    assert not (tmp_path / "d" / "secret_key").exists()


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]


def test_scheduler_role_and_queue_channel_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PANO_SCHEDULER", "0")
    monkeypatch.setenv("PANO_MESSAGE_QUEUE_CHANNEL", "pano-hue")
    s = load_settings(secret_key="x" * 40)
    assert s.scheduler is False and s.message_queue_channel == "pano-hue"
    monkeypatch.setenv("PANO_SCHEDULER", "sometimes")
    with pytest.raises(SettingsError, match="scheduler must be true or false"):
        load_settings(secret_key="x" * 40)


# -- languages -------------------------------------------------------------------------
def test_repository_config_lists_the_languages() -> None:
    s = load_settings(REPO / "config" / "controller.yaml", secret_key="x" * 40)
    assert s.language_config.codes[:4] == ("vi", "en", "fr", "lo")
    assert "pac" in s.language_config.codes
    assert s.required_languages == ("vi", "en")
    assert s.language_config.name("lo").name_vi == "Tiếng Lào"


def test_default_languages_without_a_config_file() -> None:
    s = load_settings()
    assert s.language_config.codes == ("vi", "en", "fr", "lo")
    assert s.language_config.required == ("vi", "en")


LANGUAGE_CASES = [
    ("languages:\n  - {code: vi, name_vi: V, name_en: V}\n  - {code: EN, name_vi: A, "
     "name_en: E}\n", "line 3: languages: code 'EN' is not an ISO 639 code"),
    ("languages:\n  - {code: vi, name_vi: V, name_en: V}\n  - {code: vi, name_vi: V, "
     "name_en: V}\n", "line 3: languages lists 'vi' twice"),
    ("languages:\n  - {code: vi, name_vi: V}\n", "line 2: languages: 'name_en' must be text"),
    ("languages:\n  - {code: vi, name_vi: V, name_en: V, flag: x}\n",
     "line 2: languages: unknown key 'flag'"),
    ("languages: [vi, en]\n", "line 1: languages entries must be mappings"),
    ("languages: []\n", "languages must be a non-empty list"),
    ("required_languages: [vi, de]\n", "required_languages names 'de', which is not in "
     "languages (known: vi, en, fr, lo)"),
    ("required_languages: [vi, vi]\n", "line 1: required_languages lists 'vi' twice"),
    ("required_languages: []\n", "required_languages must be a non-empty list"),
]


@pytest.mark.parametrize(("text", "fragment"), LANGUAGE_CASES)
def test_bad_language_settings_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    write_config(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert fragment in str(info.value)
    if "line" in fragment:
        assert str(info.value).startswith(f"{Path('config') / 'controller.yaml'}, line ")


def test_required_languages_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    write_config(tmp_path, "languages:\n  - {code: vi, name_vi: V, name_en: V}\n"
                 "  - {code: en, name_vi: A, name_en: E}\n"
                 "  - {code: lo, name_vi: L, name_en: L}\n")
    monkeypatch.setenv("PANO_REQUIRED_LANGUAGES", "vi, lo")
    assert load_settings().required_languages == ("vi", "lo")
    monkeypatch.setenv("PANO_REQUIRED_LANGUAGES", "vi,fr")
    with pytest.raises(SettingsError, match="required_languages names 'fr'"):
        load_settings()
