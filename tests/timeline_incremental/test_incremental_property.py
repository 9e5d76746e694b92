"""Property: after any change, rebuilding only what its scopes reach (``rebuild_for``)
leaves every timeline exactly as a full rebuild would — a full rebuild by a fresh
publisher afterwards finds nothing to change. Random sequences of real changes to a real
SQLite database (playlists approved and renamed; schedules created, edited, deleted with
site, screen and tag targets; default playlists and tags; emergencies sent and
cancelled; a site's time zone; screens moved between sites by importing a sites file)
with the clock moved on between them across midnights and emergency ends.

The publisher under test builds one body for screens alike (``controller.timeline.alike``)
and the checking one builds every screen's own, so the same test shows that stamping a
body for screens alike stores exactly what building each would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from timeline_incremental import edits
from timeline_incremental.conftest import EXTRA, SITES, TAGS, Clock

from controller.timeline.publisher import TimelinePublisher

START = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # 22:30 in Huế, 00:30 in Tokyo
SCREENS = [f"x-{n:02d}" for n in range(EXTRA)] + ["phu-bai-arrivals", "chan-may-gate-kiosk"]

screens = st.sampled_from(SCREENS)
playlists = st.sampled_from(edits.PLAYLISTS)


@st.composite
def target(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(edits.TARGET_KINDS))
    value = draw(st.sampled_from({"sites": SITES, "screens": SCREENS, "tags": TAGS}[kind]))
    return kind, value


actions = st.one_of(
    st.tuples(st.just("approve"), playlists, st.integers(5, 30)),
    st.tuples(st.just("rename"), playlists, st.text("abcxyz ", min_size=1, max_size=8)),
    st.tuples(st.just("create"), playlists, target(), st.integers(0, 23), st.integers(0, 2)),
    st.tuples(st.just("edit"), st.integers(0, 9), playlists, target()),
    st.tuples(st.just("delete"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("default"), screens, st.sampled_from((*edits.PLAYLISTS, None))),
    st.tuples(st.just("tags"), screens, st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
    st.tuples(st.just("emergency"), st.sampled_from(("sites", "screens")), st.integers(0, 99),
              st.integers(10, 300)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("zone"), st.sampled_from(SITES),
              st.sampled_from(("Asia/Ho_Chi_Minh", "Asia/Tokyo", "Asia/Kolkata"))),
    st.tuples(st.just("move"), screens, st.sampled_from(SITES),
              st.sampled_from(("import", "old", "new"))),
    st.tuples(st.just("wait"), st.integers(1, 26 * 60)),  # minutes
)


def apply(session, action: tuple, clock: Clock, folder: Path, serial: int) -> list:  # noqa: ANN001
    name, *args = action
    if name == "approve":
        return edits.approve_new_version(session, *args)
    if name == "rename":
        return edits.rename_playlist(session, *args)
    if name == "create":
        playlist, (kind, value), hour, priority = args
        return edits.create_schedule(session, f"s-{serial}", playlist, kind, value, hour,
                                     priority)
    if name == "edit":
        pick, playlist, (kind, value) = args
        return edits.edit_schedule(session, pick, playlist, kind, value)
    if name == "delete":
        return edits.delete_schedule(session, *args)
    if name == "default":
        return edits.set_default(session, *args)
    if name == "tags":
        return edits.set_tags(session, *args)
    if name == "emergency":
        kind, pick, minutes = args
        value = (SITES if kind == "sites" else SCREENS)[pick % (4 if kind == "sites" else
                                                                 len(SCREENS))]
        return edits.send_emergency(session, clock.now, kind, value, minutes)
    if name == "cancel":
        return edits.cancel_emergency(session, clock.now, *args)
    if name == "zone":
        return edits.set_site_timezone(session, *args)
    if name == "move":
        return edits.move_screen(session, folder, *args)
    clock.now += timedelta(minutes=args[0])  # "wait": nothing changed but the time
    return []


@settings(max_examples=20, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a failure prints its steps
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=st.lists(actions, min_size=3, max_size=10))
def test_incremental_rebuilds_equal_a_full_rebuild(fleet, tmp_path, steps) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(START)
    publisher = TimelinePublisher(None, 15, clock=clock)
    with sessions() as session:
        publisher.rebuild(session)
        assert publisher.screens_stamped > 0  # screens alike were stamped, not built
        for serial, action in enumerate(steps):
            scopes = apply(session, action, clock, tmp_path, serial)
            session.commit()
            before = publisher.screens_built
            publisher.rebuild_for(session, scopes)
            check = TimelinePublisher(None, 15, clock=clock)  # knows nothing: builds all
            check.group_alike = False  # and each screen's body from its own inputs
            missed = check.rebuild(session)
            assert missed == [], (f"after {action} with scopes {[str(s) for s in scopes]} "
                                  f"(built {publisher.screens_built - before}), a full "
                                  f"rebuild still changed {missed}")
