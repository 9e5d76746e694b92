"""A text item's ``photo`` as the API (a JSON body naming stored files) and the YAML
import take it: stored as ``{"media": sha, "placement": …}``, refused with a clear
sentence (English and Vietnamese) for an unknown file, a file that is not a picture, a
placement that does not exist or a photo on another type of item. Real SQLite database
and media store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from controller.content.items_json import parse_items
from controller.content.playlists_import import DirectoryMedia, parse_playlist
from controller.content.yamlfile import YamlError
from controller.media.store import MediaStore
from controller.slides.spec import item_specs

VARIANTS = {"vi": {"title": "Chào mừng"}, "en": {"title": "Welcome"}}


@pytest.fixture
def stored(session, tmp_path: Path):
    store = MediaStore(tmp_path / "media")
    picture = tmp_path / "harbour.png"
    Image.new("RGB", (64, 48), (20, 90, 160)).save(picture)
    text = tmp_path / "notes.pdf"
    text.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    image = store.put_file(session, picture, picture.name, "image/png", "image")
    other = store.put_file(session, text, text.name, "application/pdf", "document")
    session.commit()
    return store, image.sha256, other.sha256


def _item(photo, type_="text"):
    return {"id": "welcome", "type": type_, "duration": 10, "variants": VARIANTS,
            "photo": photo}


def _refused(session, store, item) -> tuple[str, str]:
    with pytest.raises(YamlError) as err:
        parse_items(session, store, [item])
    said = err.value.args[0]
    return said.said_in("en"), said.said_in("vi")


def test_a_photo_is_stored_with_the_item_and_reaches_its_slide(session, stored) -> None:
    store, sha, _ = stored
    (item,) = parse_items(session, store, [_item({"media": sha, "placement": "side-left"})])
    assert item["photo"] == {"media": sha, "placement": "side-left"}
    (plain,) = parse_items(session, store, [{k: v for k, v in _item(None).items()
                                             if k != "photo"}])
    assert "photo" not in plain  # items without one keep their stored shape
    (bg,) = parse_items(session, store, [_item({"media": sha})])
    assert bg["photo"]["placement"] == "background"
    (spec,) = item_specs(item, 1920, 1080, ["vi", "en"], "dual", "", "")
    assert (spec.photo.media, spec.photo.placement) == (sha, "side-left")


def test_an_unknown_picture_is_refused(session, stored) -> None:
    store = stored[0]
    en, vi = _refused(session, store, _item({"media": "0" * 64}))
    assert "photo" in en and "is not in the media store" in en
    assert "ảnh" in vi and "media store" not in vi


def test_a_file_that_is_not_a_picture_is_refused(session, stored) -> None:
    store, _, pdf = stored
    en, vi = _refused(session, store, _item({"media": pdf}))
    assert "not an image: a text item's photo must be a picture" in en
    assert "không phải ảnh" in vi


def test_a_placement_that_does_not_exist_is_refused(session, stored) -> None:
    store, sha, _ = stored
    en, vi = _refused(session, store, _item({"media": sha, "placement": "top"}))
    assert "'placement' must be one of background, side-left, side-right, got 'top'" in en
    assert "background, side-left, side-right" in vi and "must be one of" not in vi


def test_a_photo_on_an_image_item_is_refused(session, stored) -> None:
    store, sha, _ = stored
    item = _item({"media": sha}, "image")
    item["variants"] = {lang: {**v, "media": sha} for lang, v in VARIANTS.items()}
    en, vi = _refused(session, store, item)
    assert "'photo' is only for text items, not image" in en
    assert "chỉ dành cho mục chữ" in vi


def test_the_yaml_import_names_the_photo_by_file_and_refuses_a_bad_one(tmp_path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 60, 30)).save(folder / "hue.png")
    path = tmp_path / "welcome.yaml"
    body = ("id: welcome\ntitle: {vi: Chào, en: Welcome}\nitems:\n"
            "  - id: hello\n    type: text\n    duration: 10\n"
            "    photo: {media: %s, placement: side-right}\n"
            "    variants:\n      vi: {title: Chào mừng}\n      en: {title: Welcome}\n")
    path.write_text(body % "hue.png", encoding="utf-8")
    parsed = parse_playlist(path, DirectoryMedia(folder))
    assert parsed.items[0]["photo"]["placement"] == "side-right"
    assert [m.name for m in parsed.media] == ["hue.png"]  # imported with the playlist
    path.write_text(body % "missing.png", encoding="utf-8")
    with pytest.raises(YamlError, match=r"line 7: .*photo.*not found"):
        parse_playlist(path, DirectoryMedia(folder))


def test_a_photo_survives_export_and_import_again(session, tmp_path: Path) -> None:
    """``export(import(file))`` keeps the photo: its file comes out under its name and
    the item names it again (controller.content.playlists_export)."""
    from controller.content.playlist_bundle import media_names
    from controller.content.playlists_export import copy_media, export_playlist, write_atomic
    from controller.content.playlists_write import import_playlists

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 60, 30)).save(folder / "hue.png")
    (folder / "welcome.yaml").write_text(
        "id: welcome\ntitle: {vi: Chào, en: Welcome}\nitems:\n"
        "  - id: hello\n    type: text\n    duration: 10\n"
        "    photo: {media: hue.png, placement: side-right}\n"
        "    variants:\n      vi: {title: Chào mừng}\n      en: {title: Welcome}\n",
        encoding="utf-8")
    store = MediaStore(tmp_path / "store")
    import_playlists(session, folder / "welcome.yaml", store, folder, approve=True)
    session.commit()
    text, media = export_playlist(session, store, "welcome")
    assert "photo: {media: hue.png, placement: side-right}" in text
    copy_media(store, media, out)
    write_atomic(out / "welcome.yaml", text)
    assert media_names(out / "welcome.yaml") == {"hue.png"}  # a bundle unpacks it
    again = parse_playlist(out / "welcome.yaml", DirectoryMedia(out))
    original = parse_playlist(folder / "welcome.yaml", DirectoryMedia(folder))
    assert again.items == original.items
