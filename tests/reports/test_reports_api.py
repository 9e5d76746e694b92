"""GET /api/v1/reports/plays and GET /api/v1/plays over the known data set
(reports/plays_data.py): exact plays, airtime, shares, per-language figures, QR scans,
availability, emergency speed; Huế day boundaries; refusals as sentences; who sees what."""

from __future__ import annotations

import pytest
from reports.plays_data import ARRIVALS, ENTRY, EXPECTED, MARCH

MARCH_Q = {"from": "2026-03-01", "to": "2026-03-31"}


def _rows(body, name):
    return {r["key"][name]: r for r in body["rows"]}


def test_totals_of_march(api):
    body = api("/api/v1/reports/plays", **MARCH_Q).json()
    totals = body["totals"]
    assert totals["plays"] == EXPECTED["plays"]
    assert totals["airtime_seconds"] == EXPECTED["seconds"]
    assert totals["airtime_hours"] == round(105 / 3600, 4)
    assert totals["qr_scans"] == EXPECTED["qr_scans"]
    assert body["query"]["start"] == "2026-02-28T17:00:00Z"
    assert body["query"]["end"] == "2026-03-31T17:00:00Z"


@pytest.mark.parametrize("group", ["agency", "language"])
def test_grouped_plays_airtime_and_shares(api, group):
    body = api("/api/v1/reports/plays", group_by=group, **MARCH_Q).json()
    rows = _rows(body, group)
    assert set(rows) == set(EXPECTED[group])
    for key, (plays, seconds) in EXPECTED[group].items():
        assert rows[key]["plays"] == plays, key
        assert rows[key]["airtime_seconds"] == seconds, key
        assert rows[key]["share"] == round(seconds / 105, 6), key


def test_by_theme_counts_a_playlist_in_each_of_its_themes(api):
    rows = _rows(api("/api/v1/reports/plays", group_by="theme", **MARCH_Q).json(), "theme")
    assert {k: r["airtime_seconds"] for k, r in rows.items()} == EXPECTED["theme"]


def test_language_filter_reads_time_that_language_was_on_screen(api):
    body = api("/api/v1/reports/plays", language="lo", **MARCH_Q).json()
    assert (body["totals"]["plays"], body["totals"]["airtime_seconds"]) == (2, 35.0)


def test_qr_scans_follow_the_groups(api):
    rows = _rows(api("/api/v1/reports/plays", group_by="agency", **MARCH_Q).json(), "agency")
    assert rows["tourism"]["qr_scans"] == 2
    assert rows["investment"]["qr_scans"] == 0
    langs = _rows(api("/api/v1/reports/plays", group_by="language", **MARCH_Q).json(),
                  "language")
    assert (langs["en"]["qr_scans"], langs["vi"]["qr_scans"]) == (1, 1)


def test_huế_day_boundaries(api):
    # 2026-03-01 00:00:00 Huế = 2026-02-28T17:00:00Z: the 10 s cuisine record is March's,
    # the 4 s one before it February's; 23:59:50 on 31 March is March's, midnight April's.
    first = api("/api/v1/reports/plays", screen=ENTRY, **{"from": "2026-03-01",
                                                          "to": "2026-03-01"}).json()
    assert (first["totals"]["plays"], first["totals"]["airtime_seconds"]) == (1, 10.0)
    feb = api("/api/v1/reports/plays", screen=ENTRY, **{"from": "2026-02-28",
                                                        "to": "2026-02-28"}).json()
    assert (feb["totals"]["plays"], feb["totals"]["airtime_seconds"]) == (1, 4.0)
    last = api("/api/v1/reports/plays", screen=ENTRY, **{"from": "2026-03-31",
                                                         "to": "2026-04-01"}).json()
    days = _rows(api("/api/v1/reports/plays", screen=ENTRY, group_by="day",
                     **{"from": "2026-03-31", "to": "2026-04-01"}).json(), "day")
    assert last["totals"]["plays"] == 2
    assert (days["2026-03-31"]["plays"], days["2026-04-01"]["plays"]) == (1, 1)
    april_scan = api("/api/v1/reports/plays", **{"from": "2026-04-01", "to": "2026-04-01"})
    assert april_scan.json()["totals"]["qr_scans"] == 1


def test_availability(api):
    body = api("/api/v1/reports/plays", **MARCH_Q).json()["availability"]
    screens = {s["screen"]: s for s in body["screens"]}
    for screen, ratio in EXPECTED["availability"].items():
        assert screens[screen]["availability"] == round(ratio, 6)
        assert screens[screen]["period_seconds"] == MARCH
    sites = {s["site"]: s for s in body["sites"]}
    assert sites["phu-bai-airport"]["availability"] == round(16 / 62, 6)
    assert sites["a-dot-border-gate"]["availability"] == round(1 / 62, 6)
    assert body["months"] == [{"month": "2026-03", "online_seconds": 17 * 86400.0,
                               "period_seconds": MARCH * 7.0,
                               "availability": round(17 / (31 * 7), 6)}]


def test_emergency_speed_and_findings(api):
    body = api("/api/v1/reports/plays", **MARCH_Q).json()
    [emergency] = body["emergencies"]
    assert emergency["title"]["vi"] == "Đóng cửa khẩu"
    assert (emergency["screens_reached"], emergency["screens_targeted"]) == (2, 2)
    assert emergency["first_screen_seconds"] == 2.0
    assert emergency["last_screen_seconds"] == 5.5
    assert body["findings"]["by_kind"] == {"gap": 1}
    only_arrivals = api("/api/v1/reports/plays", site="phu-bai-airport", **MARCH_Q).json()
    assert only_arrivals["emergencies"] == [] and only_arrivals["findings"]["count"] == 0


def test_emergency_airtime_is_its_own_kind(api):
    body = api("/api/v1/reports/plays", kind="emergency", **MARCH_Q).json()
    assert (body["totals"]["plays"], body["totals"]["airtime_seconds"]) == (1, 60.0)


@pytest.mark.parametrize(("params", "words"), [
    ({"from": "2026-13-01"}, "'from' '2026-13-01' is not a date"),
    ({"from": "2026-03-31", "to": "2026-03-01"}, "is after 'to'"),
    ({"group_by": "colour"}, "'group_by' 'colour' is not one of"),
    ({"kind": "song"}, "'kind' 'song' is not one of"),
    ({"screen": ""}, "'screen' must be 1 to 64 characters"),
    ({"size": "3"}, "Unknown parameter 'size'"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "longer than"),
])
def test_bad_report_filters_are_sentences(api, params, words):
    answer = api("/api/v1/reports/plays", **params)
    assert answer.status_code == 400
    assert words in answer.json()["message"]


def test_an_agency_editor_reads_its_own_agency_only(api):
    mine = api("/api/v1/reports/plays", role="editor", **MARCH_Q).json()
    assert (mine["totals"]["plays"], mine["totals"]["airtime_seconds"]) == (3, 30.0)
    other = api("/api/v1/reports/plays", role="editor", agency="investment", **MARCH_Q)
    assert other.status_code == 403
    assert "tourism" in other.json()["message"]
    assert api("/api/v1/reports/plays", role="technician", **MARCH_Q).json()[
        "totals"]["plays"] == 7


def test_records_of_one_screen_paged(api):
    window = {"screen": ARRIVALS, "from": "2026-03-10T08:00:00+07:00",
              "to": "2026-03-10T08:01:00+07:00"}
    first = api("/api/v1/plays", limit=3, **window).json()
    assert [r["seq"] for r in first["records"]] == [1, 2, 3]
    record = first["records"][0]
    assert (record["start"], record["end"]) == ("2026-03-10T01:00:00Z", "2026-03-10T01:00:10Z")
    assert record["languages"] == ["vi", "en"] and record["playlist"] == "happy-hue-2025"
    assert record["kind"] == "item" and record["source"] == "kiosk"
    assert record["ended"] == "duration" and record["journal"]
    rest = api("/api/v1/plays", cursor=first["next_cursor"], limit=3, **window).json()
    assert [r["seq"] for r in rest["records"]] == [4]
    assert rest["next_cursor"] is None


def test_a_record_overlapping_the_start_is_included(api):
    body = api("/api/v1/plays", screen=ARRIVALS, **{"from": "2026-03-10T01:00:05Z",
                                                   "to": "2026-03-10T01:00:06Z"}).json()
    assert [r["seq"] for r in body["records"]] == [1]


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"screen": ARRIVALS, "from": "2026-03-10T08:00:00", "to": "2026-03-11T00:00:00Z"},
     400, "has no time zone"),
    ({"screen": ARRIVALS, "from": "yesterday", "to": "2026-03-11T00:00:00Z"},
     400, "is not an ISO 8601 time"),
    ({"from": "2026-03-10T00:00:00Z", "to": "2026-03-11T00:00:00Z"}, 400, "'screen' is required"),
    ({"screen": ARRIVALS, "from": "2026-03-10T00:00:00Z", "to": "2026-03-11T00:00:00Z",
      "limit": "5000"}, 400, "'limit' must be a whole number from 1 to 1000"),
    ({"screen": ARRIVALS, "from": "2026-03-10T00:00:00Z", "to": "2026-03-11T00:00:00Z",
      "cursor": "abc"}, 400, "'cursor' 'abc' is not one this API gave"),
    ({"screen": "nowhere", "from": "2026-03-10T00:00:00Z", "to": "2026-03-11T00:00:00Z"},
     404, "No screen 'nowhere'"),
])
def test_bad_record_queries(api, params, status, words):
    answer = api("/api/v1/plays", **params)
    assert answer.status_code == status
    assert words in answer.json()["message"]


def test_the_editor_sees_only_its_agency_records(api):
    body = api("/api/v1/plays", role="editor", screen=ARRIVALS,
               **{"from": "2026-03-10T00:00:00Z", "to": "2026-03-11T00:00:00Z"}).json()
    assert {r["agency"] for r in body["records"]} == {"tourism"}


def test_charts_are_svg(api):
    for name in ("airtime_by_theme", "availability_by_site", "plays_by_language"):
        answer = api(f"/api/v1/reports/charts/{name}.svg", lang="vi", **MARCH_Q)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith("image/svg+xml")
        assert answer.content.lstrip().startswith(b"<?xml") and b"<path" in answer.content
    assert api("/api/v1/reports/charts/pie.svg").status_code == 404
