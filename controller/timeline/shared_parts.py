"""The parts of a timeline body that screens share: its ``playlists`` (each item as the
screen gets it, with the file chosen for its resolution, its slides and QR badges) and
the ``media`` they name. ``build_body`` makes them once per rebuild for every screen that
shows the same playlists at the same resolution (its ``PartsMemo``), and
``controller.timeline.hashing.Hasher`` encodes them once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the builder imports this module
    from controller.timeline.builder import BuildInputs, Claim, MediaFacts


def _item_for(inputs: BuildInputs, item: Mapping[str, Any], target: str,
              media: dict[str, Any]) -> dict[str, Any] | None:
    """The item as the screen gets it: each variant's media replaced by the file chosen
    for the screen (its rendition), whose facts go into ``media``; None when a file
    cannot be prepared (the item is left out for this screen)."""
    if item.get("type") == "data" and inputs.slides is None:  # no slides: its titles
        from controller.dataslides.on_screen import title_only

        return title_only(item)
    variants = item.get("variants")
    out = dict(item)
    if not isinstance(variants, Mapping):
        return out
    chosen_variants: dict[str, Any] = {}
    for lang, variant in variants.items():
        sha = variant.get("media") if isinstance(variant, Mapping) else None
        if not sha:
            chosen_variants[lang] = variant
            continue
        if inputs.choose_media is None:
            chosen: tuple[str, MediaFacts | None] | None = (sha, inputs.media.get(sha))
        else:
            chosen = inputs.choose_media(sha, target)
        if chosen is None:
            return None
        file_sha, facts = chosen
        chosen_variants[lang] = variant if file_sha == sha else {**variant, "media": file_sha}
        if facts is not None:
            media[file_sha] = {"size": facts.size, "mime": facts.mime}
    out["variants"] = chosen_variants
    return out


@dataclass(frozen=True)
class SharedParts:
    """A body's playlists and media parts, and whether an item of them carries a QR
    badge (the page then needs ``display.qr_badge``): computed once for every screen
    that shares the parts."""

    playlists: dict[str, Any]
    media: dict[str, Any]
    badges: bool


def shared_parts(inputs: BuildInputs, segments: Sequence[Claim],
                 target: str) -> SharedParts:
    playlists, media = playlists_and_media(inputs, segments, target)
    return SharedParts(playlists, media, _playlists_have_badge(playlists))


def playlists_and_media(inputs: BuildInputs, segments: Sequence[Claim],
                        target: str) -> tuple[dict[str, Any], dict[str, Any]]:
    playlists: dict[str, Any] = {}
    media: dict[str, Any] = {}
    for seg in segments:
        if seg.playlist is None:
            continue
        on_air = inputs.playlists[seg.playlist]
        if on_air.key in playlists:
            continue
        items = [_item_for(inputs, item, target, media) for item in on_air.items]
        if inputs.slides is not None:
            items = [None if item is None else
                     inputs.slides.item(inputs.screen, on_air, item, media)
                     for item in items]
        playlists[on_air.key] = {
            "id": on_air.id,
            "version": on_air.version,
            "title": dict(on_air.title),
            "items": [item for item in items if item is not None],
        }
    return playlists, media


# Per-rebuild memo: the playlists and media parts for a screen target (``WxH``: each
# resolution gets its own renditions) and a tuple of playlist ids, shared (the very same
# dicts) by every screen that shows the same playlists. Bodies built with a memo must be
# treated as read-only.
PartsMemo = dict[tuple[Any, ...], SharedParts]


def _playlists_have_badge(playlists: Mapping[str, Any]) -> bool:
    return any(isinstance(v, Mapping) and "qr" in v
               for p in playlists.values() for item in p["items"]
               for v in (item.get("variants") or {}).values())
