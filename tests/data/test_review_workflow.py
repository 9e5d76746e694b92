"""Editorial review on a real database: states, who may do what, completeness, what is
on air, and the audit trail of every step (controller/review)."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from controller import changes
from controller.auth.users import add_user
from controller.content.sites_import import import_sites
from controller.models import AuditEntry, Playlist, PlaylistVersion
from controller.review import ReviewError
from controller.review.actor import Actor
from controller.review.agencies import import_agencies
from controller.review.workflow import (
    approve,
    archive,
    create_playlist,
    reject,
    save_draft,
    submit,
    withdraw,
)
from controller.timeline.playlists import load_playlists
from controller.zones.declarations import import_layouts

from .conftest import REPO


def text_item(item_id: str, langs=("vi", "en"), title: str = "Xin chào") -> dict:
    return {"id": item_id, "type": "text", "duration": 8,
            "variants": {lang: {"title": f"{title} ({lang})", "body": None, "media": None,
                                "url": None} for lang in langs}}


ITEMS = [text_item("welcome"), text_item("festival", title="Festival Huế")]


@pytest.fixture
def people(session):
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    out = {}
    for name, role, agency in (("lan", "editor", "culture"), ("binh", "editor", "culture"),
                               ("hoa", "editor", "tourism"), ("minh", "approver", "dic"),
                               ("quang", "approver", "culture"), ("thu", "approver", "tourism"),
                               ("root", "admin", None), ("xem", "viewer", None)):
        user, _ = add_user(session, name, role, "correct horse battery", agency=agency)
        out[name] = Actor.of(session, user)
    session.commit()
    return out


def new_playlist(session, actor, items=ITEMS, agency="culture", pid="festival"):
    version = create_playlist(session, actor, pid, title_vi="Festival Huế",
                              title_en="Hue Festival", items=copy.deepcopy(items),
                              agency_id=agency, themes=["festival"])
    session.commit()
    return session.get(Playlist, pid), version


def actions(session, object_id=None) -> list[str]:
    stmt = select(AuditEntry.action).order_by(AuditEntry.id)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id.startswith(object_id))
    return list(session.scalars(stmt))


def test_the_whole_road_to_air_and_the_audit_trail(session, people):
    playlist, v1 = new_playlist(session, people["lan"])
    assert (v1.state, playlist.current_version) == ("draft", None)
    assert load_playlists(session, ["festival"], []) == {}  # a draft is never on air
    counter = changes.current(session)
    submit(session, people["lan"], playlist, 1)
    approve(session, people["minh"], playlist, 1)
    session.commit()
    assert (v1.state, playlist.current_version) == ("approved", 1)
    assert v1.reviewed_by == people["minh"].user_id
    assert changes.current(session) == counter + 1  # approval is what reaches screens
    assert set(load_playlists(session, ["festival"], [])) == {"festival", "festival@1"}
    assert actions(session, "festival") == ["playlist.create", "playlist.submit",
                                            "playlist.approve"]
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "playlist.approve")).one()
    assert (entry.actor, entry.agency_id, entry.object_id) == ("minh", "culture",
                                                               "festival@1")
    assert entry.before["state"] == "in_review" and entry.after["state"] == "approved"


def test_the_last_editor_may_never_approve_even_as_an_approver(session, people):
    playlist, _ = new_playlist(session, people["lan"])
    submit(session, people["lan"], playlist, 1)
    with pytest.raises(ReviewError, match="may not approve or reject") as refused:
        approve(session, people["lan"], playlist, 1)
    assert refused.value.status == 403
    # An approver who edited the draft last cannot approve it either.
    withdraw(session, people["lan"], playlist, 1)
    culture_approver_as_editor = Actor(people["quang"].user_id, "quang", "editor", "culture")
    save_draft(session, culture_approver_as_editor, playlist, ITEMS + [text_item("more")])
    submit(session, people["lan"], playlist, 1)
    with pytest.raises(ReviewError, match="edited version 1 of 'festival' last"):
        approve(session, people["quang"], playlist, 1)
    approve(session, people["minh"], playlist, 1)
    assert playlist.current_version == 1


def test_rejection_needs_a_reason_and_returns_the_version_to_its_editor(session, people):
    playlist, version = new_playlist(session, people["lan"])
    submit(session, people["lan"], playlist, 1)
    for reason in ("", "   ", None):
        with pytest.raises(ReviewError, match="needs a reason") as refused:
            reject(session, people["minh"], playlist, 1, reason)
        assert refused.value.status == 422
    reject(session, people["minh"], playlist, 1, "The English title misspells Huế.")
    session.commit()
    assert version.state == "draft"
    assert version.rejection_reason == "The English title misspells Huế."
    note = session.scalars(select(AuditEntry.note).where(
        AuditEntry.action == "playlist.reject")).one()
    assert note == "The English title misspells Huế."
    save_draft(session, people["lan"], playlist, [text_item("welcome", title="Huế")])
    submit(session, people["lan"], playlist, 1)
    assert version.rejection_reason is None and version.state == "in_review"


def test_editing_an_approved_playlist_starts_a_draft_and_air_stays_put(session, people):
    playlist, _ = new_playlist(session, people["lan"])
    submit(session, people["lan"], playlist, 1)
    approve(session, people["minh"], playlist, 1)
    assert save_draft(session, people["lan"], playlist, copy.deepcopy(ITEMS)) is None
    v2 = save_draft(session, people["binh"], playlist, ITEMS + [text_item("news")])
    session.commit()
    assert (v2.number, v2.state, playlist.current_version) == (2, "draft", 1)
    on_air = load_playlists(session, ["festival"], [])["festival"]
    assert [item["id"] for item in on_air.items] == ["welcome", "festival"]
    submit(session, people["binh"], playlist, 2)
    with pytest.raises(ReviewError, match="in review; withdraw it") as refused:
        save_draft(session, people["lan"], playlist, [text_item("x")])
    assert refused.value.status == 409
    approve(session, people["minh"], playlist, 2)
    session.commit()
    states = dict(session.execute(select(PlaylistVersion.number, PlaylistVersion.state)
                                  .where(PlaylistVersion.playlist_id == "festival")).all())
    assert states == {1: "archived", 2: "approved"} and playlist.current_version == 2


def test_completeness_is_checked_on_submit_and_names_items_and_languages(session, people):
    incomplete = [text_item("welcome"), text_item("gate", langs=("vi",))]
    playlist, _ = new_playlist(session, people["lan"], items=incomplete)
    with pytest.raises(ReviewError) as refused:
        submit(session, people["lan"], playlist, 1)
    assert refused.value.status == 422
    assert "item 'gate' lacks en" in refused.value.message


def test_a_playlist_shown_at_a_dot_needs_lao_before_approval(session, people):
    playlist, _ = new_playlist(session, people["lan"], pid="border-welcome")
    session.commit()  # sites.yaml makes border-welcome the A Đớt screens' default
    with pytest.raises(ReviewError) as refused:
        submit(session, people["lan"], playlist, 1)
    assert "a-dot-entry-hall" in refused.value.message
    assert "item 'welcome' lacks lo" in refused.value.message
    assert "item 'festival' lacks lo" in refused.value.message


def test_agency_scopes(session, people):
    playlist, _ = new_playlist(session, people["lan"])
    with pytest.raises(ReviewError, match="belongs to agency 'tourism'") as refused:
        save_draft(session, people["hoa"], playlist, [text_item("x")])
    assert refused.value.status == 403
    submit(session, people["lan"], playlist, 1)
    with pytest.raises(ReviewError, match="reviews the playlists of agency 'tourism'"):
        approve(session, people["thu"], playlist, 1)  # approver of another agency
    with pytest.raises(ReviewError, match="admin' may not approve or reject"):
        approve(session, people["root"], playlist, 1)  # admins do not approve
    approve(session, people["quang"], playlist, 1)  # the agency's own approver may
    assert playlist.current_version == 1


def test_theme_scoped_editor(session, people):
    scoped = Actor(people["hoa"].user_id, "hoa", "editor", "tourism",
                   scope_themes=("sea-islands",))
    with pytest.raises(ReviewError, match="may only edit playlists with the themes"):
        create_playlist(session, scoped, "beach", title_vi="Biển", title_en="Sea",
                        items=ITEMS, agency_id="tourism", themes=["festival"])
    create_playlist(session, scoped, "beach", title_vi="Biển", title_en="Sea",
                    items=ITEMS, agency_id="tourism", themes=["sea-islands"])


def test_wrong_states_are_refused_with_the_state_named(session, people):
    playlist, _ = new_playlist(session, people["lan"])
    with pytest.raises(ReviewError, match="it is a draft, not in review") as refused:
        approve(session, people["minh"], playlist, 1)
    assert refused.value.status == 409
    with pytest.raises(ReviewError, match="has no version 7") as missing:
        submit(session, people["lan"], playlist, 7)
    assert missing.value.status == 404
    archive(session, people["lan"], playlist, 1)  # discard a draft
    with pytest.raises(ReviewError, match="it is archived"):
        submit(session, people["lan"], playlist, 1)


def test_the_version_on_air_cannot_be_archived_while_screens_play_it(session, people):
    playlist, _ = new_playlist(session, people["lan"], items=[
        text_item("welcome", langs=("vi", "lo", "en"))], pid="border-welcome")
    submit(session, people["lan"], playlist, 1)
    approve(session, people["minh"], playlist, 1)
    with pytest.raises(ReviewError, match="on air on screen a-dot-entry-hall") as refused:
        archive(session, people["minh"], playlist, 1)
    assert refused.value.status == 409
    assert playlist.current_version == 1


def test_a_frozen_version_cannot_be_changed_even_by_sql(session, people):
    playlist, version = new_playlist(session, people["lan"])
    submit(session, people["lan"], playlist, 1)
    session.commit()
    version.items = [text_item("smuggled")]
    with pytest.raises(Exception, match="frozen once submitted"):
        session.commit()
    session.rollback()
    assert [i["id"] for i in session.get(PlaylistVersion, version.id).items] == [
        "welcome", "festival"]


def test_the_audit_log_refuses_updates_and_deletes(session, people):
    new_playlist(session, people["lan"])
    count = len(actions(session))
    entry = session.scalars(select(AuditEntry)).first()
    first = (entry.id, entry.actor, entry.action)
    entry.actor = "someone else"
    with pytest.raises(Exception, match="append-only"):
        session.commit()
    session.rollback()
    session.delete(session.scalars(select(AuditEntry)).first())
    with pytest.raises(Exception, match="append-only"):
        session.commit()
    session.rollback()
    entry = session.scalars(select(AuditEntry)).first()
    assert (entry.id, entry.actor, entry.action) == first and len(actions(session)) == count


def test_a_text_too_long_for_the_screens_it_reaches_is_refused_at_submit(session, people):
    # welcome-hue is the default of dual vi/en screens: both texts share one slide.
    long_text = text_item("welcome", title="Chào mừng " * 19)
    for variant in long_text["variants"].values():
        variant["body"] = "Cửa khẩu quốc tế A Đớt. " * 80
    playlist, version = new_playlist(session, people["lan"], items=[long_text],
                                     pid="welcome-hue")
    with pytest.raises(ReviewError, match=r"the Vietnamese \(vi\) and English \(en\) texts do "
                                          "not fit the 1920×1080 screens of chan-may-port; "
                                          "shorten them") as refused:
        submit(session, people["lan"], playlist, 1)
    assert refused.value.status == 422 and "item 'welcome'" in refused.value.message
    save_draft(session, people["lan"], playlist, [text_item("welcome")])
    submit(session, people["lan"], playlist, 1)  # a normal text fits
    assert version.state == "in_review"
