"""QR short links: codes (stable, distinct, one per link even when two sessions create
it at once on a real SQLite file), the domain allowlist, and URLs refused when an item
or an emergency is saved."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.content.playlists_write import import_playlists
from controller.content.yamlfile import YamlError
from controller.db import make_engine, make_session_factory, upgrade
from controller.emergencies.request import EmergencyRefused, parse_request
from controller.media.store import MediaStore
from controller.models import QrCode
from controller.qr.allowlist import allowed_domains, check_url, current_domains
from controller.qr.links import ALPHABET, CODE_LENGTH, code_for, is_code, new_code, short_url
from controller.settings import DEFAULT_QR_DOMAINS, Settings

from .conftest import REPO, snapshot

LINK = {"playlist_id": "welcome-hue", "item_id": "citadel", "lang": "en",
        "screen_id": "phu-bai-arrivals", "target_url": "https://hue.gov.vn/en"}


def count_codes(session) -> int:
    return session.scalar(select(func.count()).select_from(QrCode))


# ------------------------------------------------------------------------------ codes


def test_the_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1lI") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 32
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and is_code(c) for c in codes)
    for bad in ("", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "abcdefgh", "ABCD/EFG", "ABCDEFGÉ"):
        assert not is_code(bad), bad


def test_code_for_is_idempotent_and_distinct(session) -> None:
    code = code_for(session, **LINK)
    session.commit()
    assert is_code(code)
    assert code_for(session, **LINK) == code
    others = [
        code_for(session, **{**LINK, "target_url": "https://hue.gov.vn/en/new"}),
        code_for(session, **{**LINK, "lang": "vi"}),
        code_for(session, **{**LINK, "screen_id": "phu-bai-baggage"}),
        code_for(session, **{**LINK, "screen_id": None}),
        code_for(session, **{**LINK, "item_id": "other"}),
        code_for(session, **{**LINK, "playlist_id": "other"}),
    ]
    session.commit()
    assert len({code, *others}) == 7
    assert count_codes(session) == 7
    # A screenless link (an emergency's, a preview's) is found again too.
    assert code_for(session, **{**LINK, "screen_id": None}) == others[3]
    row = session.get(QrCode, code)
    assert (row.target_url, row.screen_id, row.lang) == ("https://hue.gov.vn/en",
                                                         "phu-bai-arrivals", "en")
    # The old code keeps its old target: codes never change meaning.
    assert session.get(QrCode, others[0]).target_url == "https://hue.gov.vn/en/new"
    assert count_codes(session) == 7


@pytest.mark.parametrize("screen_id", ["phu-bai-arrivals", None])
def test_two_sessions_creating_the_same_link_at_once_get_one_code(sessions,
                                                                  screen_id) -> None:
    race(sessions, {**LINK, "screen_id": screen_id})


@pytest.mark.parametrize("screen_id", ["phu-bai-arrivals", None])
def test_the_same_race_on_postgresql(pg_url: str, screen_id) -> None:  # noqa: F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        race(make_session_factory(engine), {**LINK, "screen_id": screen_id})
    finally:
        engine.dispose()


def race(sessions, link: dict) -> None:
    """Two threads, each with its own session, create the same links at the same
    moment: both get the same code, and one row exists per link."""
    rounds = 5
    for n in range(rounds):
        barrier = threading.Barrier(2)
        results: list[str] = []
        errors: list[BaseException] = []

        def create(link: dict = link, n: int = n, barrier: threading.Barrier = barrier,
                   results: list[str] = results, errors: list[BaseException] = errors
                   ) -> None:
            try:
                with sessions() as session:
                    barrier.wait(timeout=10)
                    results.append(code_for(session, **{**link, "item_id": f"item-{n}"}))
                    session.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        assert len(results) == 2 and results[0] == results[1], results
    with sessions() as session:
        assert count_codes(session) == rounds


def test_short_url() -> None:
    settings = Settings(public_url="https://pano.hue.gov.vn/")
    assert short_url(settings, "ABCD2345") == "https://pano.hue.gov.vn/q/ABCD2345"
    assert short_url(Settings(host="10.0.0.5", port=8080),
                     "ABCD2345") == "http://10.0.0.5:8080/q/ABCD2345"


# -------------------------------------------------------------------------- allowlist

ALLOWED = [
    "https://hue.gov.vn/",
    "http://hue.gov.vn/tin-tuc?id=1#top",
    "https://HUE.GOV.VN/Path",
    "https://hue.gov.vn./",
    "https://dulich.hue.gov.vn/",
    "https://a.b.gov.vn/",
    "https://vietnam.vn/",
    "https://www.vietnam.vn:443/",
    "http://huefestival.com:80/",
    "https://en.huefestival.com/lich",
    "https://huế.gov.vn/",  # IDN, compared as xn--hu-...
    "https://xn--hu-07s.gov.vn/",
]
REFUSED = [
    ("https://evil.example/", "not an allowed domain"),
    ("https://gov.vn/", "not an allowed domain"),  # *.gov.vn means subdomains only
    ("https://hue.gov.vn.evil.com/", "not an allowed domain"),
    ("https://evilhuefestival.com/", "not an allowed domain"),
    ("https://huefestival.com.vn/", "not an allowed domain"),
    ("https://vietnam.vn.evil.com/", "not an allowed domain"),
    ("https://hue.gov.vn@evil.com/", "user name or password"),
    ("https://user:secret@hue.gov.vn/", "user name or password"),
    ("https://hue.gov.vn\\@evil.com/", "backslash"),
    ("https://hue.gov.vn /", "spaces"),
    ("https://hue.gov.vn:8443/", "port 8443"),
    ("http://hue.gov.vn:443/", "port 443"),
    ("https://hue.gov.vn:x/", "malformed"),
    ("https://127.0.0.1/", "IP address"),
    ("https://[::1]/", "IP address"),
    ("https://2130706433/", "not an official site"),
    ("https://localhost/", "not an official site"),
    ("https://evil.localhost/", "not an official site"),
    ("ftp://hue.gov.vn/", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("//hue.gov.vn/", "http:// or https://"),
    ("https:///path", "http:// or https://"),
    ("https://hueß.gov.vn/", "not a valid host name"),  # ß: IDNA 2003 and 2008 differ
    ("https://hue_gov.vn/", "not a valid host name"),
    ("", "empty"),
]


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed_urls(url: str) -> None:
    assert check_url(url, DEFAULT_QR_DOMAINS) is None


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refused_urls(url: str, reason: str) -> None:
    answer = check_url(url, DEFAULT_QR_DOMAINS)
    assert answer is not None and reason in answer, answer


def test_an_exact_entry_does_not_admit_look_alikes_or_the_parent() -> None:
    domains = ["hue.gov.vn", "*.hue.gov.vn"]
    assert check_url("https://hue.gov.vn/", domains) is None
    assert check_url("https://dulich.hue.gov.vn/", domains) is None
    for url in ("https://evilhue.gov.vn/", "https://gov.vn/", "https://hue.gov.vn.evil.com/",
                "https://xhue.gov.vn/", "https://danang.gov.vn/"):
        assert "not an allowed domain" in (check_url(url, domains) or ""), url
    # An IDN entry matches its punycode form and back.
    assert check_url("https://xn--hu-07s.vn/", ["huế.vn"]) is None
    assert check_url("https://huế.vn/", ["xn--hu-07s.vn"]) is None
    assert check_url("https://HUẾ.vn/", ["xn--hu-07s.vn"]) is None
    assert check_url("https://hue.vn/", ["huế.vn"]) is not None


def test_the_domains_in_force() -> None:
    assert current_domains() == DEFAULT_QR_DOMAINS
    with allowed_domains(["example.org"]):
        assert current_domains() == ("example.org",)
    assert current_domains() == DEFAULT_QR_DOMAINS


# -------------------------------------------------------------------- refused on save

STATION = """\
id: station
title: {vi: "Ga Huế", en: "Hue Station"}
items:
  - id: hello
    type: text
    duration: 8
    variants:
      vi: {title: "Xin chào", url: "https://hue.gov.vn/"}
      en: {title: "Hello", url: "https://hue.gov.vn/en"}
  - id: site
    type: web
    duration: 20
    variants:
      vi: {url: "https://hue.gov.vn/"}
      en: {url: "URL"}
"""


def write(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "playlists" / "station.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STATION.replace("URL", url), encoding="utf-8")
    return path


def test_any_item_may_carry_an_allowed_url(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    import_playlists(session, write(tmp_path, "https://hue.gov.vn/en"), store,
                     REPO / "media", approve=False)
    session.commit()


def test_a_url_outside_the_allowlist_is_refused_on_import(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    before = snapshot(session)
    with pytest.raises(YamlError) as refused:
        import_playlists(session, write(tmp_path, "https://evil.example/"), store,
                         REPO / "media", approve=False)
    message = str(refused.value)
    assert "station.yaml, line 15" in message
    assert "item 'site', variant 'en'" in message
    assert "'https://evil.example/' is refused" in message
    assert "*.gov.vn, vietnam.vn, *.vietnam.vn, hue.gov.vn, huefestival.com" in message
    session.rollback()
    assert snapshot(session) == before


def test_the_allowlist_in_force_is_used_on_import(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    with allowed_domains(["example.org"]), pytest.raises(YamlError, match="example.org"):
        import_playlists(session, write(tmp_path, "https://hue.gov.vn/en"), store,
                         REPO / "media", approve=False)
    session.rollback()
    with allowed_domains(["example.org", "*.gov.vn", "hue.gov.vn"]):
        import_playlists(session, write(tmp_path, "https://example.org/"), store,
                         REPO / "media", approve=False)


def test_an_emergency_url_outside_the_allowlist_is_refused() -> None:
    data = {"messages": {"vi": {"title": "Bão", "body": "Ở trong nhà."},
                         "en": {"title": "Storm", "body": "Stay indoors."}},
            "targets": {"sites": ["phu-bai-airport"]}, "duration_minutes": 30}
    assert parse_request({**data, "url": "https://hue.gov.vn/bao"}).url == "https://hue.gov.vn/bao"
    with pytest.raises(EmergencyRefused) as refused:
        parse_request({**data, "url": "https://evil.example/"})
    assert "'https://evil.example/' is refused" in str(refused.value)
    assert "hue.gov.vn" in str(refused.value)
