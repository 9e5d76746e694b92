"""``GET /metrics`` on a real controller (werkzeug + Flask-SocketIO, seeded SQLite file):
read by Prometheus' own parser after real activity — real python-socketio players
connecting, acking and sending heartbeats and a journal batch, a media file served over
HTTP, a rebuild — and refused to everyone the settings do not name, with a message that
says what to do (docs/operations.md, "Metrics")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
import yaml
from plays.journal_helpers import batch, chain
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from web.helpers import REPO, make_settings, wait_for

from controller.models import ScreenTimeline
from controller.server import ControllerServer
from controller.settings import SettingsError, load_settings

SCREEN, OTHER = "phu-bai-arrivals", "a-dot-entry-hall"
TOKEN = "metrics-token-" + "m" * 24


def scrape(url: str, token: str | None = None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(url + "/metrics", headers=headers, timeout=10)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels, as Prometheus' parser reads the text."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def read(server) -> dict:
    response = scrape(server.url)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


def test_metrics_after_real_activity(server, fleet, players):
    before = read(server)
    player = players().connect(SCREEN, fleet.tokens[SCREEN])
    body = player.next_timeline()  # pushed by the controller on connect
    assert player.call("ack", {"version": body["version"], "missing": []}) == {"ok": True}
    assert player.call("heartbeat", {"uptime": 12.5}) == {"ok": True}
    over_http = requests.post(f"{server.url}/api/v1/player/heartbeat", json={"uptime": 3.0},
                              headers={"Authorization": f"Bearer {fleet.tokens[OTHER]}"},
                              timeout=10)
    assert over_http.status_code == 200, over_http.text
    assert player.call("journal", batch(chain(5)))["stored_through"] == 5
    shas = sorted(body["media"])
    assert shas, "the seeded timeline names media"
    media = requests.get(f"{server.url}/media/{shas[0]}", timeout=10,
                         headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}"})
    assert media.status_code == 200
    players().connect(OTHER, fleet.tokens[OTHER]).next_timeline()

    after = read(server)

    def grew(name: str, by: float = 1, **labels: str) -> None:
        old = before.get((name, tuple(sorted(labels.items()))), 0.0)
        assert value(after, name, **labels) >= old + by, name

    assert value(after, "pano_sockets_connected") >= 2
    grew("pano_sockets_connected", 2)
    grew("pano_heartbeats_total", 1, transport="websocket")
    grew("pano_heartbeats_total", 1, transport="http")
    grew("pano_journal_batches_total", 1)
    grew("pano_journal_records_total", 5)
    grew("pano_push_ack_seconds_count", 1)
    assert value(after, "pano_push_ack_seconds_bucket", le="+Inf") >= 1
    grew("pano_media_bytes_served_total", len(media.content))
    assert value(after, "pano_timeline_rebuild_seconds_count") >= 1  # the first rebuild
    # By site, from the database: both screens' sites, the seeded fleet's other sites too.
    assert value(after, "pano_screens_online", site="phu-bai-airport") >= 1
    assert value(after, "pano_screens_online", site="a-dot-border-gate") >= 1
    assert value(after, "pano_screens", site="phu-bai-airport") >= value(
        after, "pano_screens_online", site="phu-bai-airport")
    # The first rebuild drew the seeded timelines' renditions and slides (in this process:
    # jobs_worker "thread"), and they are stored.
    assert value(after, "pano_renditions_rendered_total") >= 1
    assert value(after, "pano_slides_rendered_total") >= 1
    assert value(after, "pano_renditions_stored") >= 1
    assert value(after, "pano_slides_stored") >= 1
    # The process's own metrics.
    assert value(after, "process_resident_memory_bytes") > 0
    assert value(after, "process_cpu_seconds_total") > 0
    assert any(name == "python_info" for name, _ in after)

    player.close()
    wait_for(lambda: samples(scrape(server.url).text)[("pano_sockets_connected", ())]
             <= value(after, "pano_sockets_connected") - 1, what="the socket's gauge to drop")


def test_a_rebuild_is_timed_and_a_push_acked_later_is_measured(server, fleet, players,
                                                               tmp_path):
    player = players().connect("a-dot-outdoor-pano", fleet.tokens["a-dot-outdoor-pano"])
    player.call("ack", {"version": player.next_timeline()["version"], "missing": []})
    before = read(server)
    fleet.edit_playlist(tmp_path, "border-welcome", "welcome", "Metrics welcome")
    pushed = player.next_timeline()
    assert player.call("ack", {"version": pushed["version"], "missing": []}) == {"ok": True}
    after = read(server)
    for name in ("pano_timeline_rebuild_seconds_count", "pano_push_ack_seconds_count"):
        assert value(after, name) >= value(before, name) + 1, name
    with fleet.sessions() as session:
        assert session.scalar(select(ScreenTimeline.version).where(
            ScreenTimeline.screen_id == "a-dot-outdoor-pano")) == pushed["version"]


@pytest.mark.parametrize("header, relayed", [("X-Forwarded-For", "203.0.113.9"),
                                             ("X-Real-IP", "203.0.113.9"),
                                             ("Forwarded", "for=203.0.113.9")])
def test_an_address_rule_does_not_open_to_a_request_relayed_by_an_unknown_proxy(
        server, header, relayed):
    response = scrape(server.url, **{header: relayed})
    assert response.status_code == 403
    assert "metrics_allow" in response.json()["message"]


@pytest.fixture(scope="module")
def closed(tmp_path_factory) -> Iterator[ControllerServer]:
    """A controller whose metrics are open to no address and need no token: nobody."""
    settings = make_settings(tmp_path_factory.mktemp("closed"), metrics_allow=[])
    running = ControllerServer(settings).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def with_token(tmp_path_factory) -> Iterator[ControllerServer]:
    settings = make_settings(tmp_path_factory.mktemp("token"), metrics_allow=[],
                             metrics_token=TOKEN)
    running = ControllerServer(settings).start()
    yield running
    running.stop()


@pytest.mark.parametrize("name, raw, says", [
    ("metrics_allow", "127.0.0.1, pano.example.vn", "'pano.example.vn' is not an IP address"),
    ("metrics_allow", ["10.0.0.0/33"], "'10.0.0.0/33' is not an IP address or network"),
    ("metrics_allow", {"a": 1}, "must be a list of at most 100 client addresses"),
    ("metrics_allow", [f"10.0.0.{i}" for i in range(101)], "at most 100"),
    ("metrics_token", "short", "metrics_token must be 16 to 200 characters"),
    ("metrics_token", "x" * 201, "metrics_token must be 16 to 200 characters"),
])
def test_metrics_settings_out_of_bounds_are_refused_saying_why(tmp_path, name, raw, says):
    with pytest.raises(SettingsError, match=re.escape(says)):
        load_settings(data_dir=tmp_path, **{name: raw})


def test_metrics_allow_takes_addresses_and_networks(tmp_path, monkeypatch):
    monkeypatch.setenv("PANO_METRICS_ALLOW", "10.1.2.3, 192.168.0.0/16,::1")
    assert load_settings(data_dir=tmp_path).metrics_allow == (
        "10.1.2.3/32", "192.168.0.0/16", "::1/128")
    assert load_settings(data_dir=tmp_path, metrics_allow=[]).metrics_allow == ()


def test_no_allowed_address_and_no_token_is_403_saying_why(closed):
    response = scrape(closed.url)
    assert response.status_code == 403
    message = response.json()["message"]
    assert "metrics_allow" in message and "127.0.0.1" in message, message
    assert "pano_" not in response.text
    assert scrape(closed.url, token=TOKEN).status_code == 403  # no token is configured


def test_the_token_opens_and_a_missing_or_wrong_one_is_401(with_token):
    missing = scrape(with_token.url)
    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["message"]
    wrong = scrape(with_token.url, token=TOKEN + "x")
    assert wrong.status_code == 401
    assert wrong.json()["message"].startswith("Wrong metrics token")
    assert "pano_" not in wrong.text
    good = scrape(with_token.url, token=TOKEN)
    assert good.status_code == 200
    found = samples(good.text)
    assert value(found, "pano_sockets_connected") >= 0
    assert value(found, "process_resident_memory_bytes") > 0


# --------------------------------------------------------------- deploy/: dashboard, rules

DEPLOY = REPO / "deploy"
METRIC = re.compile(r"\b((?:pano|process|python)_[a-z0-9_]+)\b")
DURATION = re.compile(r"^\d+[smhd]$")


def exposed(server) -> set[str]:
    """Every family and sample name ``/metrics`` has (``_bucket``, ``_total``…)."""
    families = list(text_string_to_metric_families(scrape(server.url).text))
    return {f.name for f in families} | {s.name for f in families for s in f.samples}


def test_the_rules_file_is_prometheus_rule_groups_on_exposed_metrics(server):
    data = yaml.safe_load((DEPLOY / "prometheus-rules.yml").read_text("utf-8"))
    assert list(data) == ["groups"]
    names = exposed(server)
    alerts = []
    for group in data["groups"]:
        assert set(group) == {"name", "rules"} and group["rules"], group
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            assert isinstance(rule["expr"], str) and rule["expr"].count("(") == \
                rule["expr"].count(")"), rule["alert"]
            assert DURATION.match(rule["for"]), rule["alert"]
            assert rule["labels"]["severity"] and rule["annotations"]["summary"]
            assert set(METRIC.findall(rule["expr"])) <= names, rule["alert"]
            alerts.append(rule["alert"])
    assert {"PanoControllerDown", "PanoScreensOffline", "PanoPushToAckSlow",
            "PanoAlertsFiring"} <= set(alerts)
    assert 'up{job="pano-controller"} == 0' in data["groups"][0]["rules"][0]["expr"]


def test_the_dashboard_is_importable_json_on_exposed_metrics(server):
    dash = json.loads((DEPLOY / "grafana-dashboard.json").read_text("utf-8"))
    assert dash["title"] and dash["uid"] and dash["__inputs"][0]["pluginId"] == "prometheus"
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in dash["templating"]["list"]]
    used = {name for e in exprs for name in METRIC.findall(e)}
    assert used <= exposed(server), used - exposed(server)
    for wanted in ("pano_screens_online", "pano_sockets_connected", "pano_heartbeats_total",
                   "pano_journal_records_total", "pano_push_ack_seconds_bucket",
                   "pano_timeline_rebuild_seconds_bucket", "pano_media_bytes_served_total",
                   "pano_renditions_rendered_total", "pano_slides_rendered_total",
                   "pano_alerts_firing", "process_cpu_seconds_total",
                   "process_resident_memory_bytes"):
        assert wanted in used, wanted
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))


def test_the_push_clock_times_an_ack_of_the_pushed_version_once_and_stays_bounded():
    from controller.metrics.push_ack import PushClock
    from controller.metrics.registry import PUSH_ACK_SECONDS

    def count() -> float:
        return next(s.value for s in PUSH_ACK_SECONDS.collect()[0].samples
                    if s.name == "pano_push_ack_seconds_count")

    clock, before = PushClock(limit=2), count()
    clock.pushed("a", 3)
    clock.acked("a", 2)  # an older version: not this push
    clock.acked("a", 3)
    clock.acked("a", 3)  # the same ack again: timed once
    assert count() == before + 1
    clock.pushed("a", 4)
    clock.pushed("b", 1)
    clock.pushed("c", 1)  # over the limit: the oldest push ("a") is forgotten
    clock.acked("a", 4)
    assert count() == before + 1
    clock.acked("c", 1)
    clock.pushed("d", "7")  # not a version: ignored
    clock.acked("d", 7)
    assert count() == before + 2
