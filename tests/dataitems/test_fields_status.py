"""A feed that drops or renames a field a data template shows: each good poll checks
the records against the templates of the source's approved data items, and the
source's status says which fields are lacking (in English and Vietnamese) while the
records are stored as usual; once the feed has them again, the sentence is gone."""

from __future__ import annotations

import json

from dataitems.test_data_ahead import db, feeds  # noqa: F401 - the fixtures
from sources.conftest import T0, Db
from sources.feed_server import BOARD, FeedServer

from controller.sources.polling import refresh
from controller.sources.views import one


def _view(db: Db, language: str = "en") -> dict:  # noqa: F811
    with db.sessions() as session:
        return one(session, "phu-bai-arrivals", T0, language)


def test_fields_a_template_shows_and_the_records_lack_are_in_the_status(
        db: Db, feeds: FeedServer) -> None:  # noqa: F811
    renamed = json.loads(BOARD)
    for record in renamed["arrivals"]:
        record["state"] = record.pop("status")  # the publisher renamed a field
    feeds.set_file("/board.json", json.dumps(renamed, ensure_ascii=False).encode(),
                   "application/json")
    try:
        refresh(db.settings, db.sessions, "phu-bai-arrivals", lambda: T0)
        view = _view(db)
        assert view["status"] == "ok" and view["record_count"] == 2
        assert view["note"] == (
            "the records have no field the data templates show (arrivals-board: "
            "'status'): those cells show a dash (—) on the screens; check the templates' "
            "'field' names against the records"), view
        assert "'status'" in _view(db, "vi")["note"] and "arrivals-board" in \
            _view(db, "vi")["note"]
        assert _view(db, "vi")["note"] != view["note"]  # said in Vietnamese
    finally:
        feeds.set_file("/board.json", BOARD.encode(), "application/json")
    refresh(db.settings, db.sessions, "phu-bai-arrivals", lambda: T0)
    assert _view(db)["note"] is None
