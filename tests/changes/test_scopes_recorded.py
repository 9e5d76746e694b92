"""Every writer names what it touched: the real approve, archive and rename of a
playlist, the schedules API, emergencies sent and cancelled, site and playlist imports
leave exactly those scopes in the change log (controller.changes)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from web.helpers import REPO, call

from controller import changes
from controller.auth.users import add_user
from controller.changes import Scope
from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.emergencies import store
from controller.emergencies.request import parse_request
from controller.models import Emergency, Playlist, Schedule, utcnow
from controller.review.actor import Actor
from controller.review.workflow import approve, archive, create_playlist, submit, update_details
from controller.server import ControllerServer
from controller.zones.declarations import import_layouts

MESSAGES = {"vi": {"title": "Bão", "body": "Ở trong nhà."},
            "en": {"title": "Storm", "body": "Stay indoors."}}


class Log:
    """The scopes committed since it was made."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions
        with sessions() as session:
            self.after = changes.latest_id(session)

    def new(self) -> list[Scope]:
        with self.sessions() as session:
            self.after, scopes = changes.since(session, self.after)
        return scopes


def text_item(item_id: str) -> dict:
    return {"id": item_id, "type": "text", "duration": 8,
            "variants": {lang: {"title": f"Xin chào ({lang})", "body": None, "media": None,
                                "url": None} for lang in ("vi", "en")}}


def test_approve_rename_and_archive_name_the_playlist(fleet):
    with fleet.sessions() as session:
        people = {}
        for name, role, agency in (("lan", "editor", "culture"), ("minh", "approver", "dic")):
            user, _ = add_user(session, name, role, "correct horse battery", agency=agency)
            people[name] = Actor.of(session, user)
        session.commit()
        log = Log(fleet.sessions)
        create_playlist(session, people["lan"], "festival", title_vi="Festival Huế",
                        title_en="Hue Festival", items=copy.deepcopy([text_item("a")]),
                        agency_id="culture", themes=["festival"])
        playlist = session.get(Playlist, "festival")
        submit(session, people["lan"], playlist, 1)
        session.commit()
        assert log.new() == []  # a draft and a submission reach no screen
        approve(session, people["minh"], playlist, 1)
        session.commit()
        assert log.new() == [Scope("playlist", "festival")]
        assert update_details(session, people["lan"], playlist, title_en="Huế Festival")
        session.commit()
        assert log.new() == [Scope("playlist", "festival")]  # timelines carry the title
        archive(session, people["minh"], playlist, 1)
        session.commit()
        assert log.new() == [Scope("playlist", "festival")]


def test_the_schedules_api_names_the_schedule_it_created_edited_and_deleted(fleet):
    server = ControllerServer(fleet.settings).start()
    try:
        admin = fleet.users["admin"]
        log = Log(fleet.sessions)
        body = {"id": "evening", "playlist": "border-welcome",
                "targets": {"screens": ["phu-bai-arrivals"]}, "weekdays": ["fri"],
                "windows": ["18:00-23:00"], "priority": 2}
        assert call(server, "POST", "/api/v1/schedules", admin, body)[0] == 201
        with fleet.sessions() as session:
            sid = session.scalar(select(Schedule.id).where(Schedule.slug == "evening"))
        assert log.new() == [Scope("schedule", str(sid))]
        later = {**body, "windows": ["20:00-23:00"]}
        assert call(server, "PUT", "/api/v1/schedules/evening", admin, later)[0] == 200
        assert log.new() == [Scope("schedule", str(sid))]
        assert call(server, "PUT", "/api/v1/schedules/evening", admin, later)[0] == 200
        assert log.new() == []  # unchanged: nothing to rebuild
        assert call(server, "DELETE", "/api/v1/schedules/evening", admin)[0] == 200
        assert log.new() == [Scope("schedule", str(sid))]
        assert call(server, "POST", "/api/v1/schedules", admin,
                    {**body, "playlist": "no-such-playlist"})[0] == 422
        assert log.new() == []  # refused: nothing recorded
    finally:
        server.stop()


def test_an_emergency_sent_and_cancelled_names_itself(fleet):
    log = Log(fleet.sessions)
    with fleet.sessions() as session:
        request = parse_request({"messages": MESSAGES, "targets": {"sites": ["a-dot-border-gate"]},
                                 "duration_minutes": 30}, utcnow())
        emergency = store.create(session, request, Actor.system())
        session.commit()
        eid = emergency.id
        assert log.new() == [Scope("emergency", str(eid))]
        store.cancel(session, session.get(Emergency, eid), Actor.system())
        session.commit()
        assert log.new() == [Scope("emergency", str(eid))]


def _sites_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((REPO / "config" / "sites.yaml").read_text("utf-8"))
    edit(data)
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_a_site_import_names_the_sites_and_screens_it_changed(fleet, tmp_path):
    def edit(data):
        sites = {s["id"]: s for s in data["sites"]}
        sites["chan-may-port"]["name"]["en"] = "Chân Mây Port"
        screen = sites["phu-bai-airport"]["screens"][1]
        screen["tags"] = [*screen["tags"], "night"]

    log = Log(fleet.sessions)
    with fleet.sessions() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
        import_sites(session, REPO / "config" / "sites.yaml")
        session.commit()
        assert log.new() == []  # the same file again: nothing changed
        import_sites(session, _sites_with(tmp_path, edit))
        session.commit()
    assert log.new() == [Scope("site", "chan-may-port"), Scope("screen", "phu-bai-baggage")]


def test_a_playlist_import_names_the_playlists_it_put_on_air(fleet, tmp_path):
    data = yaml.safe_load((REPO / "playlists" / "welcome-hue.yaml").read_text("utf-8"))
    data["items"][0]["duration"] = data["items"][0].get("duration", 8) + 1
    folder = tmp_path / "playlists"
    folder.mkdir()
    (folder / "welcome-hue.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    log = Log(fleet.sessions)
    with fleet.sessions() as session:
        import_playlists(session, REPO / "playlists", fleet.store, REPO / "media",
                         approve=True)
        session.commit()
        assert log.new() == []  # unchanged files
        import_playlists(session, folder, fleet.store, REPO / "media", approve=True)
        session.commit()
    assert log.new() == [Scope("playlist", "welcome-hue")]


@pytest.mark.parametrize("scopes", [(), (Scope("screen", "x"), changes.EVERYTHING)])
def test_no_scope_or_all_is_everything(fleet, scopes):
    log = Log(fleet.sessions)
    with fleet.sessions() as session:
        changes.bump(session, *scopes)
        session.commit()
    assert log.new() == [changes.EVERYTHING]


def test_files_the_worker_made_too_late_are_named_by_their_sha(fleet):
    from controller.jobs.context import JobContext
    from controller.jobs.renders import make_files
    from controller.models import Media, Rendition

    with fleet.sessions() as session:
        image = session.scalar(select(Media.sha256).where(Media.kind == "image",
                                                          Media.origin != "rendition"))
    assert image is not None
    ctx = JobContext.from_settings(fleet.settings)
    try:
        log = Log(fleet.sessions)
        # On time (the rebuild still waits for it): nothing to record.
        assert make_files(ctx, [("rendition", image, "640x360")], deadline=2e9) == 1
        assert log.new() == []
        # Late: the screens that name it, or waited for it, are rebuilt.
        assert make_files(ctx, [("rendition", image, "320x180")], deadline=0) == 1
        with fleet.sessions() as session:
            made = session.get(Rendition, (image, "320x180")).rendition_sha256
        assert log.new() == [Scope("media", made)]
    finally:
        ctx.close()
