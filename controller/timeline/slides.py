"""The slide and QR-badge step of a rebuild (docs/media.md "Rendered slides" and
"QR badges", docs/protocol.md section 4).

``SlideMaker`` is the builder's ``slides`` input for one rebuild:

- a ``text`` item gets ``"slides"``: one PNG at the screen's resolution with all the
  screen's languages (``{"*": sha}``, dual mode) or one per language (``{lang: sha}``,
  alternate mode), framed with the province and the site's name. An item with a link
  has its slides drawn with the QR corner left free (``reserve_qr``), so the slides of
  a site, resolution and language set are shared by its screens;
- an ``image`` item with a caption or a link gets ``"slides"`` too: its **frames**
  (``controller.slides.frame``: the screen's picture fitted, the caption drawn under it
  with the text slides' fonts, the QR corner left free), keyed the same way, so the
  kiosk shows the controller's picture rather than laying the caption out itself;
- a ``video`` item with a caption gets ``"overlays"``: its caption drawn the same way
  on a transparent picture (``{"*": sha}``) that the page lays over the playing video;
- every variant with a ``url`` (any item type) gets ``"qr": {"url", "badge"}``: the
  screen's short link (``code_for``, one per playlist, item, language and screen) and a
  badge PNG with its QR code, which the screen lays over the reserved corner; on a
  ``dual`` screen showing two languages or more, the primary variant's code is a
  language choice instead (``lang`` ``*``, :func:`language_choices`), so a scan counts
  the language the traveller reads, not the screen's first;
- an emergency gets ``"slide"`` (all its languages, the screen's first) and, with a
  ``url``, ``"qr"`` (its code belongs to no screen, as docs/media.md says).

A slide or badge that cannot be drawn (``SlideDoesNotFit``, anything else) is logged and
left out: the screen shows the HTML fallback; the rebuild goes on. Missing files are
made in sessions of their own, committed at once (rendering happens before their first
write, so no write lock is held while drawing), as renditions are. With ``make=False``
(the preview) only what exists is named: nothing is drawn or written. With a ``missing``
list (the serving process, whose job worker draws: ``controller/jobs/renders.py``)
nothing is drawn either: what is missing is added to the list (at every ask, so the
publisher knows which screens wait for it) and left out, and the publisher asks the
worker for it (short links are still made: one row each). With ``screen_ids`` (a
rebuild of some screens) only their short links and the shared ones are loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.models import QrCode, Rendition
from controller.qr.links import code_for, target_hash
from controller.slides import cache as slide_cache
from controller.slides.badge import BadgeSpec, badge_media
from controller.slides.badge import input_hash as badge_hash
from controller.slides.frame import FrameSpec, item_frames, item_overlays
from controller.slides.render import (
    SlideSpec,
    emergency_spec,
    item_specs,
    ordered_languages,
)
from controller.timeline.builder import PlaylistOnAir, ScreenFacts
from controller.timeline.picture_files import File, PictureFiles
from controller.timeline.spec_hashes import SpecHashes

log = logging.getLogger("pano.timeline")

EMERGENCY_PLAYLIST = "emergency"  # the playlist id of an emergency's short link
ORIGINALS_LIMIT = 20_000  # renditions whose original a publisher remembers


def language_choices(variants: Mapping[str, Any], langs: list[str]) -> list[tuple[str, str]]:
    """What a dual screen's code offers: each language on the slide with its page, or
    the first page there is for a language without one (in the slide's order)."""
    urls = {lang: v.get("url") for lang, v in variants.items()
            if isinstance(v, Mapping) and v.get("url")}
    first = next((urls[lang] for lang in langs if lang in urls), None)
    return [(lang, str(urls.get(lang) or first)) for lang in langs] if first else []


def _has_url(item: Mapping[str, Any]) -> bool:
    return any(isinstance(v, Mapping) and v.get("url")
               for v in (item.get("variants") or {}).values())


def item_slide_specs(screen: ScreenFacts, item: Mapping[str, Any]) -> list[SlideSpec]:
    """The slides of a text ``item`` on ``screen``: one with every language (dual) or one
    per language (alternate), the QR corner kept free when the item has a link. Raises
    ``SlideError`` (``SlideDoesNotFit``) when the texts cannot be laid out. What a
    rebuild draws and what is drawn ahead of an approval (``controller.timeline.ahead``)
    are the same specs, so they find the same files."""
    width, height = (int(v) for v in screen.resolution)
    return item_specs(dict(item), width, height, list(screen.languages),
                      screen.bilingual_mode, screen.site_name.get("vi", ""),
                      screen.site_name.get("en", ""), name=str(item.get("id", "")),
                      reserve_qr=_has_url(item), site_names=screen.site_name)


def item_frame_specs(screen: ScreenFacts, item: Mapping[str, Any]) -> tuple[FrameSpec, ...]:
    """The frames of an image ``item`` (its variants naming the files chosen for
    ``screen``) on ``screen``; empty when it needs none. Raises ``SlideError`` for a
    screen size no frame can have."""
    width, height = (int(v) for v in screen.resolution)
    return item_frames(dict(item), width, height, list(screen.languages),
                       screen.bilingual_mode, _has_url(item))


def item_overlay_specs(screen: ScreenFacts, item: Mapping[str, Any],
                       ) -> tuple[FrameSpec, ...]:
    """The caption overlay of a video ``item`` on ``screen`` (one or none)."""
    width, height = (int(v) for v in screen.resolution)
    return item_overlays(dict(item), width, height, list(screen.languages), _has_url(item))


class SlideMaker:
    """Slides and badges for one rebuild (or one preview, ``make=False``)."""

    def __init__(self, session: Session, store: MediaStore, base_url: str,
                 make: bool = True, reported: set[str] | None = None,
                 missing: list[tuple[Any, ...]] | None = None,
                 screen_ids: Collection[str] | None = None,
                 now: datetime | None = None,
                 known: dict[str, File] | None = None,
                 spec_hashes: SpecHashes | None = None,
                 originals: dict[str, str] | None = None) -> None:
        self._session = session
        self._now = now  # whether a data item's data are stale (None: the clock's now)
        self._missing = missing
        self._store = store
        self._base_url = base_url.rstrip("/")
        self._make = make
        self._reported = reported if reported is not None else set()
        # Pictures remembered from earlier rebuilds (``known``, the publisher's), looked
        # up, drawn or left to the job worker.
        self._pictures = PictureFiles(session, store, make, missing, known, self._report)
        self._codes: dict[tuple[str, str, str, str | None, str], str] = {}
        self._data: Any = None  # DataItems, made at the first data item
        # Rendition sha -> its original's ("": not a rendition); the publisher's, kept
        # across rebuilds (a rendition's bytes come from one original), bounded.
        self._originals: dict[str, str] = originals if originals is not None else {}
        if len(self._originals) >= ORIGINALS_LIMIT:
            self._originals.clear()
        # Input hashes by spec, the publisher's across rebuilds (``SpecHashes``).
        self._spec_hashes = spec_hashes if spec_hashes is not None else SpecHashes()
        self._spec_hashes.begin()
        self._linked: dict[tuple[str, ...], bool] = {}  # playlists on air -> an item links
        query = (select(QrCode.code, QrCode.playlist_id, QrCode.item_id, QrCode.lang,
                        QrCode.screen_id, QrCode.target_hash)
                 .order_by(QrCode.created_at, QrCode.code))
        if screen_ids is not None:  # a rebuild of some screens: their codes, and shared ones
            query = query.where(QrCode.screen_id.in_(sorted(screen_ids))
                                | QrCode.screen_id.is_(None))
        for row in session.execute(query):
            self._codes.setdefault((row.playlist_id, row.item_id, row.lang, row.screen_id,
                                    row.target_hash), row.code)

    # -- what the builder asks ------------------------------------------------------------
    def share_key(self, screen: ScreenFacts,
                  playlists: Sequence[PlaylistOnAir]) -> tuple[Any, ...]:
        """What the playlist part of a body depends on besides the playlists and the
        resolution: the frame and languages (slides), the screen itself when an item has
        a link (its badges)."""
        return (screen.site_id, tuple(sorted(screen.site_name.items())), tuple(screen.languages),
                screen.bilingual_mode, screen.id if self.per_screen(playlists) else None)

    def per_screen(self, playlists: Sequence[PlaylistOnAir]) -> bool:
        """Whether an item of ``playlists`` has a link: its QR badges name the screen
        (scans are counted per screen), so the part is the screen's own."""
        names = tuple(p.key for p in playlists)  # a version's items never change
        linked = self._linked.get(names)
        if linked is None:
            linked = self._linked[names] = any(_has_url(item) for p in playlists
                                               for item in p.items)
        return linked

    def item(self, screen: ScreenFacts, on_air: PlaylistOnAir,
             item: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
        """``item`` with its slides and QR badges for ``screen``; their files go into
        ``media``."""
        if item.get("type") == "data":  # docs/sources.md "Data items"
            return self._data_items().item(screen, list(on_air.items), item, media,
                                           lambda text: self.item(screen, on_air, text,
                                                                  media))
        width, height = (int(v) for v in screen.resolution)
        variants = item.get("variants")
        if not isinstance(variants, Mapping):
            return item
        out = dict(item)
        has_url = _has_url(item)
        if item.get("type") == "text":
            out.pop("photo", None)  # drawn into the slides: the player needs no more
            slides = self._item_pictures(screen, item, width, height, media,
                                         item_slide_specs, "slides")
            if slides:
                out["slides"] = slides
        elif item.get("type") == "image":
            # Frames are drawn from the original picture (not the screen's rendition),
            # so they do not wait for the rendition and match what is drawn ahead.
            frames = self._item_pictures(screen, self._with_originals(item), width, height,
                                         media, item_frame_specs, "frames")
            if frames:
                out["slides"] = frames
        elif item.get("type") == "video":
            overlays = self._item_pictures(screen, item, width, height, media,
                                           item_overlay_specs, "overlays")
            if overlays:
                out["overlays"] = overlays
        if has_url:
            langs = ordered_languages(variants, list(screen.languages), others=False)
            new = dict(variants)
            for lang in langs:
                variant = variants[lang]
                url = variant.get("url") if isinstance(variant, Mapping) else None
                if not url:
                    continue
                qr = self._qr(screen, width, height, on_air.id, str(item.get("id")), lang,
                              screen.id, url, media)
                if qr is not None:
                    new[lang] = {**variant, "qr": qr}
            choices = language_choices(variants, langs) \
                if screen.bilingual_mode == "dual" else []
            if len(choices) > 1 and isinstance(new.get(langs[0]), Mapping):
                # One code on the slide for every language on it: the player shows the
                # primary variant's badge; the traveller picks a language when scanning.
                qr = self._qr(screen, width, height, on_air.id, str(item.get("id")), "*",
                              screen.id, choices[0][1], media, choices)
                if qr is not None:
                    new[langs[0]] = {**new[langs[0]], "qr": qr}
            out["variants"] = new
        return out

    def _with_originals(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """``item`` with each variant's picture named by its original's SHA-256 where
        the builder put the screen's rendition in its place."""
        variants = item.get("variants") or {}
        shas = {str(v.get("media")) for v in variants.values()
                if isinstance(v, Mapping) and v.get("media")}
        unknown = sorted(shas - set(self._originals))
        if unknown:
            found = dict.fromkeys(unknown, "")
            for rendition, original in self._session.execute(
                    select(Rendition.rendition_sha256, Rendition.media_sha256)
                    .where(Rendition.rendition_sha256.in_(unknown))
                    .order_by(Rendition.media_sha256.desc())):
                found[rendition] = original  # the smallest original wins (ordered last)
            self._originals.update(found)
        return {**item, "variants": {
            lang: ({**v, "media": self._originals.get(str(v.get("media"))) or v["media"]}
                   if isinstance(v, Mapping) and v.get("media") else v)
            for lang, v in variants.items()}}

    def _data_items(self) -> Any:
        """The data items' step of this rebuild (controller.dataslides.on_screen)."""
        if self._data is None:
            from controller.dataslides.on_screen import DataItems

            self._data = DataItems(self._session, self._store, make=self._make,
                                   now=self._now, missing=self._missing)
        return self._data

    def emergency(self, screen: ScreenFacts, entry: dict[str, Any],
                  media: dict[str, Any]) -> dict[str, Any]:
        """An entry of the timeline's ``emergencies`` with its slide and QR badge."""
        width, height = (int(v) for v in screen.resolution)
        out = dict(entry)
        url = entry.get("url")
        name = f"emergency {entry['id']}"
        try:
            spec = emergency_spec(entry["messages"], width, height, list(screen.languages),
                                  screen.site_name.get("vi", ""),
                                  screen.site_name.get("en", ""), name=name,
                                  reserve_qr=bool(url), site_names=screen.site_name)
        except Exception as err:  # noqa: BLE001 - the HTML overlay remains
            self._report(f"spec|{name}|{width}x{height}", "%s: no slide for %s screens: %s",
                         name, f"{width}x{height}", err)
            spec = None
        slide = self._slide(spec, media) if spec is not None else None
        if slide is not None:
            out["slide"] = slide
        if url:
            lang = spec.languages[0] if spec is not None else next(iter(entry["messages"]))
            qr = self._qr(screen, width, height, EMERGENCY_PLAYLIST, str(entry["id"]), lang,
                          None, url, media)
            if qr is not None:
                out["qr"] = qr
        return out

    # -- the parts --------------------------------------------------------------------------
    def _item_pictures(self, screen: ScreenFacts, item: Mapping[str, Any], width: int,
                       height: int, media: dict[str, Any], specs_of: Any,
                       what: str) -> dict[str, str]:
        """The drawn pictures of ``item`` on ``screen`` by language ("*" when one serves
        all): text slides, image frames or video overlays (``specs_of`` makes their
        specs, ``what`` names them in the log). All or nothing: the page shows an item
        one way; none when a spec cannot be made or a picture is not drawn yet."""
        name = str(item.get("id", ""))
        try:
            specs = specs_of(screen, item)
        except Exception as err:  # noqa: BLE001
            self._report(f"{what}|{name}|{width}x{height}", "item %s: no %s for %s screens "
                         "(the page shows it itself): %s", name, what, f"{width}x{height}",
                         err)
            return {}
        drawn: dict[str, str] = {}
        for spec in specs:
            sha = self._slide(spec, media)
            if sha is None:
                return {}
            drawn[spec.languages[0] if len(specs) > 1 else "*"] = sha
        return drawn

    def _slide(self, spec: SlideSpec | FrameSpec, media: dict[str, Any]) -> str | None:
        key = self._spec_hashes.of(spec)
        return self._pictures.name(key, media, lambda side: slide_cache.slide_media(
            side, self._store, spec), f"slide {spec.name or '?'} ({spec.width}x"
            f"{spec.height}, {'/'.join(spec.languages)})", ("slide", key, spec))

    def _qr(self, screen: ScreenFacts, width: int, height: int, playlist_id: str,
            item_id: str, lang: str, screen_id: str | None, url: str,
            media: dict[str, Any],
            choices: list[tuple[str, str]] | None = None) -> dict[str, str] | None:
        code = self._code(playlist_id, item_id, lang, screen_id, url, choices)
        if code is None:
            return None
        short = f"{self._base_url}/q/{code}"
        try:
            spec = BadgeSpec(width, height, short)
        except Exception as err:  # noqa: BLE001
            self._report(f"badge|{width}x{height}", "no QR badge on %s: %s", screen.id, err)
            return None
        key = badge_hash(spec)
        badge = self._pictures.name(key, media,
                                    lambda side: badge_media(side, self._store, spec),
                                    f"QR badge {short} ({width}x{height})", ("badge", key, spec))
        return None if badge is None else {"url": short, "badge": badge}

    def _code(self, playlist_id: str, item_id: str, lang: str, screen_id: str | None,
              url: str, choices: list[tuple[str, str]] | None = None) -> str | None:
        key = (playlist_id, item_id, lang, screen_id, target_hash(url, choices))
        if key not in self._codes:
            if not self._make:
                return None
            with Session(bind=self._session.get_bind(), expire_on_commit=False) as side:
                self._codes[key] = code_for(side, playlist_id=playlist_id, item_id=item_id,
                                            lang=lang, screen_id=screen_id, target_url=url,
                                            choices=choices)
                side.commit()
        return self._codes[key]

    def _report(self, key: str, message: str, *args: Any) -> None:
        # Warn once per publisher (process), not at every rebuild.
        level = logging.DEBUG if key in self._reported else logging.WARNING
        self._reported.add(key)
        log.log(level, message, *args)
