"""Sites' locations, geocodes and CAP policies from config/sites.yaml (imported, and
refused with the line and the fix when wrong), and what a policy lets through."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cap.feeds import REPO

from controller.cap.message import Info
from controller.cap.policy import CapPolicy
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import Site

SITES_YAML = (REPO / "config" / "sites.yaml").read_text("utf-8")


def test_the_demo_sites_have_locations_geocodes_and_policies(sessions):
    with sessions() as session:
        port = session.get(Site, "chan-may-port")
        gate = session.get(Site, "a-dot-border-gate")
        airport = session.get(Site, "phu-bai-airport")
        assert (port.latitude, port.longitude) == (16.33, 108.0)
        assert (gate.latitude, gate.longitude) == (16.23, 107.37)
        assert port.geocodes == {"ISO3166-2": ["VN-26"]}
        assert CapPolicy.of(port.cap_policy).send_at_once is True
        assert CapPolicy.of(gate.cap_policy) == CapPolicy()
        assert airport.cap_policy is None  # the defaults


def _import_changed(sessions, tmp_path: Path, old: str, new: str) -> None:
    assert old in SITES_YAML
    path = tmp_path / "sites.yaml"
    path.write_text(SITES_YAML.replace(old, new, 1), "utf-8")
    with sessions() as session:
        import_sites(session, path)


@pytest.mark.parametrize("old, new, fragment", [
    ("location: {lat: 16.33, lon: 108.00}", "location: {lat: 96.33, lon: 108.00}",
     "'lat' must be between -90 and 90"),
    ("location: {lat: 16.33, lon: 108.00}", "location: {lat: 16.33, lon: 208}",
     "'lon' must be between -180 and 180"),
    ("location: {lat: 16.33, lon: 108.00}", "location: {lat: 16.33}",
     "missing required key 'lon'"),
    ("location: {lat: 16.33, lon: 108.00}", "location: {lat: '16.33', lon: 108.00}",
     "'lat' must be a number"),
    ("min_severity: Severe\n", "min_severity: Bad\n", "'min_severity' must be one of"),
    ("send_at_once: true", "send_at_once: yes please", "'send_at_once' must be true"),
    ("send_at_once: true", "send_now: true", "unknown key 'send_now'"),
    ('geocodes: {"ISO3166-2": [VN-26]}  # Thừa Thiên Huế\n    cap:',
     'geocodes: {"ISO3166-2": [VN-26, VN-26]}\n    cap:', "lists 'VN-26' twice"),
])
def test_bad_site_fields_are_refused_and_nothing_changes(sessions, tmp_path, old, new,
                                                         fragment):
    with pytest.raises(YamlError, match=fragment) as caught:
        _import_changed(sessions, tmp_path, old, new)
    assert "line" in str(caught.value)
    with sessions() as session:
        assert session.get(Site, "chan-may-port").latitude == 16.33


def _info(severity: str, urgency: str, certainty: str) -> Info:
    return Info(language="vi-VN", lang="vi", event="Bão", urgency=urgency,
                severity=severity, certainty=certainty, effective=None, onset=None,
                expires=datetime(2026, 10, 29, tzinfo=UTC), headline="", description="",
                instruction="", web=None, areas=())


def test_policy_minimums_and_sending_at_once():
    default = CapPolicy()
    assert default.refusal_for(_info("Severe", "Expected", "Likely")) is None
    why = default.refusal_for(_info("Moderate", "Immediate", "Observed"))
    assert why == "severity Moderate is below the site's minimum Severe"
    assert "urgency Future" in default.refusal_for(_info("Extreme", "Future", "Observed"))
    assert "certainty Possible" in default.refusal_for(_info("Extreme", "Immediate",
                                                             "Possible"))
    assert not default.at_once(_info("Extreme", "Immediate", "Observed"))
    eager = CapPolicy(send_at_once=True)
    assert eager.at_once(_info("Extreme", "Immediate", "Observed"))
    assert not eager.at_once(_info("Severe", "Immediate", "Observed"))
    assert not eager.at_once(_info("Extreme", "Expected", "Observed"))
    assert not CapPolicy(send_at_once=True, min_certainty="Observed").at_once(
        _info("Extreme", "Immediate", "Likely"))
