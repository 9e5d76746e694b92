"""Property: one body stamped for screens alike (``controller.timeline.alike``) stores
exactly what building each screen's own body would. Random fleets of screens that differ
in one or two facts at a time (site, resolution, languages and their order, bilingual
mode and timing, default playlist, tags, layout, time zone), random schedules that name
them by site, tag or id, emergencies by site or id (with and without a link): a
publisher that groups rebuilds them, then one that builds every screen's own body finds
nothing to change. The slides test does the same with slides and per-screen QR badges
drawn by the real job worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from timeline_incremental import edits
from timeline_incremental.conftest import Clock, Queue, store_of

from controller.jobs.context import JobContext
from controller.jobs.renders import Renderer, make_files
from controller.models import Emergency, Screen, ScreenTimeline
from controller.models import Schedule as ScheduleRow
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SITES = ("chan-may-port", "phu-bai-airport")
TAGS = ("indoor", "kiosk", "arrivals")
BASE_URL = "https://pano.example.vn"


VALUES = {  # each fact a screen has, with the values the fleets draw from
    "site_id": SITES,
    "frame": (("landscape", 1920, 1080), ("portrait", 1080, 1920)),
    "languages": (["vi", "en"], ["en", "vi"]),
    "bilingual_mode": ("dual", "alternate"),
    "alternate_timing": ("split", "repeat"),
    "timezone": ("", "Asia/Tokyo"),
    "default_playlist_id": ("welcome-hue", "sea-islands", None),
    "tags": ([], ["indoor"], ["kiosk"], ["indoor", "kiosk"], ["kiosk", "indoor"]),
    "layout": (None, "clock-top"),
}


def _row(facts: dict) -> dict:
    orientation, width, height = facts["frame"]
    return {**{k: v for k, v in facts.items() if k != "frame"},
            "orientation": orientation, "width": width, "height": height}


@st.composite
def kinds(draw: st.DrawFn) -> list[dict]:
    """A kind of screen and others that differ from one before them in one fact: the
    facts the grouping must tell apart are each the only difference somewhere."""
    found = [{fact: draw(st.sampled_from(values)) for fact, values in VALUES.items()}]
    for fact in draw(st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=6)):
        before = draw(st.sampled_from(found))
        value = draw(st.sampled_from([v for v in VALUES[fact] if v != before[fact]]))
        found.append({**before, fact: value})
    return found


schedule = st.tuples(
    st.sampled_from(("welcome-hue", "sea-islands", "border-welcome")),
    st.lists(st.sampled_from(SITES), max_size=1), st.lists(st.sampled_from(TAGS), max_size=2),
    st.lists(st.integers(0, 99), max_size=2), st.integers(0, 23))
emergency = st.tuples(st.sampled_from(("sites", "screens")), st.integers(0, 99),
                      st.booleans())


def _fleet(session: Session, screens: list[dict], schedules: list[tuple],
           emergencies: list[tuple]) -> list[str]:
    """The screens (ids ``a-00``, … in order), schedules (targets: sites, tags, screens
    by index) and emergencies (on a site or a screen, by index) added; commits."""
    ids = [f"a-{n:02d}" for n in range(len(screens))]
    for screen_id, facts in zip(ids, screens, strict=True):
        session.add(Screen(id=screen_id, **_row(facts)))
    session.flush()
    for n, (playlist, sites, tags, picks, hour) in enumerate(schedules):
        seq = (session.scalar(select(func.max(ScheduleRow.created_seq))) or 0) + 1
        targets = {"sites": sites, "tags": tags,
                   "screens": sorted({ids[pick % len(ids)] for pick in picks})}
        session.add(ScheduleRow(
            slug=f"alike-{n}", playlist_id=playlist, playlist_version=None, targets=targets,
            weekdays=list(range(7)), priority=n % 3, created_seq=seq, source="test",
            windows=[[f"{hour:02d}:00", f"{(hour + 3) % 24:02d}:30"]]))
    values = {"sites": SITES, "screens": ids}
    for kind, pick, linked in emergencies:
        edits.send_emergency(session, NOW, kind, values[kind][pick % len(values[kind])], 90)
        if linked:
            row = session.scalars(select(Emergency).order_by(Emergency.id.desc())).first()
            row.url = "https://huecity.gov.vn/"
    session.commit()
    return ids


def _stored(session: Session) -> dict[str, str]:
    return dict(session.execute(select(ScreenTimeline.screen_id,
                                       ScreenTimeline.content_hash)).all())


def _compare(session: Session, grouped: TimelinePublisher, ids: list[str],
             **publisher: object) -> None:
    """A publisher that builds every screen's own body finds nothing to change."""
    stored = _stored(session)
    check = TimelinePublisher(None, 15, **publisher)  # type: ignore[arg-type]
    check.group_alike = False
    changed = check.rebuild(session, ids)
    assert changed == [], (f"building each screen's own body changed {changed}; "
                           f"{grouped.screens_stamped} of {len(ids)} were stamped")
    assert _stored(session) == stored


@settings(max_examples=30, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(screens=kinds().flatmap(lambda found: st.permutations(found + found)),  # each twice
       schedules=st.lists(schedule, max_size=4), emergencies=st.lists(emergency, max_size=2),
       later=st.integers(0, 26 * 60))
def test_screens_alike_store_what_each_screens_own_build_would(
        fleet, screens, schedules, emergencies, later) -> None:  # noqa: ANN001
    names = [{"name_vi": f"Màn hình {n}", "name_en": f"Screen {n}"} for n in range(len(screens))]
    sessions = fleet()
    clock = Clock(NOW + timedelta(minutes=later))  # emergencies may have ended
    with sessions() as session:
        ids = _fleet(session, [{**facts, **name} for facts, name in zip(screens, names,
                                                                         strict=True)],
                     schedules, emergencies)
        grouped = TimelinePublisher(None, 15, clock=clock)
        grouped.rebuild(session)
        assert grouped.screens_stamped > 0  # each kind twice: some are alike
        _compare(session, grouped, ids, clock=clock)


def test_a_screen_named_by_a_schedule_is_not_stamped_from_one_reached_by_tag(
        fleet) -> None:  # noqa: ANN001
    """The same schedule reaches both, one by its id (the segments' reason says so)."""
    base = {fact: values[0] for fact, values in VALUES.items()}
    sessions = fleet()
    clock = Clock(NOW)
    with sessions() as session:
        ids = _fleet(session, [{**base, "tags": ["kiosk"], "name_vi": "A", "name_en": n}
                               for n in ("A", "B", "C")],
                     [("sea-islands", [], ["kiosk"], [1], 8)], [])
        grouped = TimelinePublisher(None, 15, clock=clock)
        grouped.rebuild(session, ids)
        assert grouped.screens_stamped == 1  # "a-00" and "a-02" alike, "a-01" named
        _compare(session, grouped, ids, clock=clock)



def test_screens_alike_with_slides_and_their_own_qr_badges(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    store = store_of(sessions)
    clock = Clock(NOW)
    base = {fact: values[0] for fact, values in VALUES.items()}
    both = [{**base, "site_id": "phu-bai-airport", "name_vi": "Màn", "name_en": "Screen",
             "default_playlist_id": playlist}
            for playlist in ("welcome-hue", "invest-hue", None)]  # invest-hue has links
    queue = Queue()
    with sessions() as session:
        ids = _fleet(session, [{**both[n % 3], "name_en": f"Screen {n}"} for n in range(9)],
                     [], [("sites", 1, True)])  # an emergency with a link on the site
        grouped = TimelinePublisher(None, 15, clock=clock, store=store, base_url=BASE_URL)
        grouped.renderer = Renderer(queue, sessions, sleep=lambda _: None, wait=0)
        grouped.rebuild(session)
        # Nothing drawn yet: every screen waits for a file, those stamped from a screen
        # alike too — also where only the emergency's slide is missing (no playlist).
        assert grouped.screens_stamped > 0
        assert [i for i in ids if not grouped.index.get(i).incomplete] == []
    context = JobContext(None, sessions.kw["bind"], sessions, store)  # type: ignore[arg-type]
    assert make_files(context, queue.sent, deadline=0) > 0  # slides and badges drawn
    with sessions() as session:
        grouped.group_alike, grouped.screens_stamped = True, 0
        grouped.rebuild(session, ids)
        bodies = dict(session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.body)
                                      .where(ScreenTimeline.screen_id.in_(ids))).all())
        linked = [bodies[i] for i in ids[1::3]]
        codes = {str(v.get("qr")) for body in linked
                 for playlist in body["playlists"].values() for item in playlist["items"]
                 for v in (item.get("variants") or {}).values() if isinstance(v, dict)}
        assert len(codes - {"None"}) >= len(linked)  # each screen's badges are its own
        assert all("slides" in item for body in bodies.values()
                   for playlist in body["playlists"].values()
                   for item in playlist["items"] if item.get("type") == "text")
        assert all(body["emergencies"][0].get("qr") for body in bodies.values())
        assert grouped.screens_stamped == 4  # of three alike, two are stamped (twice)
        _compare(session, grouped, ids, clock=clock, store=store, base_url=BASE_URL)



def test_screens_reached_by_different_tags_of_one_schedule_are_not_alike(
        fleet) -> None:  # noqa: ANN001
    """The same schedule reaches both, by a different tag each (the reason names it)."""
    base = {fact: values[0] for fact, values in VALUES.items()}
    sessions = fleet()
    clock = Clock(NOW)
    with sessions() as session:
        ids = _fleet(session, [{**base, "tags": tags, "name_vi": "A", "name_en": "A"}
                               for tags in (["indoor"], ["kiosk"], ["indoor"])],
                     [("sea-islands", [], ["indoor", "kiosk"], [], 8)], [])
        grouped = TimelinePublisher(None, 15, clock=clock)
        grouped.rebuild(session, ids)
        assert grouped.screens_stamped == 1  # "a-00" and "a-02" alike
        _compare(session, grouped, ids, clock=clock)
