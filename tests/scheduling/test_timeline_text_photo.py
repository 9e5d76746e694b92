"""A text item's photo in the timelines the publisher builds: its slides are drawn with
the photo (in its third of the picture), the player gets no
``photo`` field, and the same text without a photo keeps its former slide. Real SQLite,
real store, the demo's pictures, the real builder and renderer."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .test_timeline_frames import (
    TERMINAL,
    body_of,
    demo_photo,
    item_of,
    only_items,
    publisher,
    store,  # noqa: F401  (fixture)
)


def text(photo: str | None, placement: str = "background") -> dict:
    item = {"id": "hello", "type": "text", "duration": 10.0, "variants": {
        "vi": {"title": "Chào mừng đến Huế", "body": "Cố đô", "media": None, "url": None},
        "en": {"title": "Welcome to Huế", "body": "Imperial city", "media": None,
               "url": None}}}
    if photo is not None:
        item["photo"] = {"media": photo, "placement": placement}
    return item


def test_a_text_slide_is_drawn_with_its_photo(session, store) -> None:  # noqa: F811
    only_items(session, "welcome-hue", text(None))
    publisher(store).rebuild(session)
    plain = item_of(body_of(session, TERMINAL), "hello")["slides"]["*"]

    photo = demo_photo(session)
    only_items(session, "welcome-hue", text(photo, "side-right"))
    publisher(store).rebuild(session)
    session.expire_all()
    entry = item_of(body_of(session, TERMINAL), "hello")
    assert "photo" not in entry  # the player sees the drawn slide only
    drawn = entry["slides"]["*"]
    assert drawn != plain
    # the right third, under the text's room: the photo there, the plain background before
    corners = []
    for sha in (drawn, plain):
        with Image.open(store.path_for(sha)) as picture:
            w, h = picture.size
            corner = picture.convert("RGB").crop((w - w // 3 + 4, h - 40, w - 4, h - 4))
            corners.append({tuple(int(c) for c in px) for px in np.asarray(corner).reshape(-1, 3)})
    assert corners[1] == {(250, 247, 242)}  # the item palette's background
    assert corners[0] and corners[0].isdisjoint(corners[1])
