"""A text item's ``photo`` (docs/content.md, "Photos on text slides"): a stored image
drawn as the slide's background or beside the text, per item (not per language)::

    photo: {media: harbour.jpg, placement: side-right}

``media`` names the picture as the item's other media do (a file name in a YAML
playlist, the SHA-256 of a stored file in a JSON body); ``placement`` is
``background`` (the default), ``side-left`` or ``side-right``. Stored as
``{"media": <sha256>, "placement": …}``; only text items may have one."""

from __future__ import annotations

from typing import Any

from controller.content.yamlfile import Fields
from controller.refusals import refusal
from controller.slides.spec import PLACEMENTS


def parse_photo(f: Fields, item_type: str, media: Any, used: list[Any],
                ) -> dict[str, str] | None:
    """The item's ``photo`` in the stored format (None when it has none); YamlError
    through ``f.fail`` for a photo on another type, a missing or unknown picture, a
    file that is not an image or a placement that does not exist."""
    if "photo" not in f.data:
        return None
    if item_type != "text":
        f.fail("photo", refusal("'photo' is only for text items, not %(type)s",
                                type=item_type))
    p = f.mapping("photo", where=refusal("%(where)s, photo", where=f.where))
    p.only(required=("media",), optional=("placement",))
    placement = p.choice("placement", PLACEMENTS, default="background")
    found = media.check(p, "media", p.data["media"], "photo")
    if found not in used:
        used.append(found)
    return {"media": found.sha256, "placement": placement}
