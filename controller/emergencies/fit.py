"""Does an emergency's text fit on the screens it targets? Checked when it is sent, so an
operator learns at once that a message is too long, instead of screens falling back to
the plain HTML overlay. Lays the slide out exactly as the timeline builder will
(:func:`controller.slides.spec.emergency_spec`), once per screen size, site and
language profile among the targets; nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable

from controller.models import Screen, Site
from controller.refusals import Refusal, refusal
from controller.slides.render import render_layout
from controller.slides.spec import (
    SlideDoesNotFit,
    SlideError,
    emergency_spec,
    language_list,
)


def check_fits(messages: dict, url: str | None, screens: Iterable[Screen],
               sites: dict[str, Site]) -> Refusal | None:
    """None when the message fits every targeted screen; else the refusal, naming the
    screens and the language that takes the most room. A layout error's own sentence
    (``SlideError``, from controller.slides) is quoted as it is."""
    seen: set[tuple] = set()
    for screen in screens:
        site = sites.get(screen.site_id)
        key = (screen.width, screen.height, tuple(screen.languages or ()), screen.site_id)
        if key in seen:
            continue
        seen.add(key)
        try:
            spec = emergency_spec(messages, int(screen.width), int(screen.height),
                                  list(screen.languages or []),
                                  site.name_vi if site else "", site.name_en if site else "",
                                  reserve_qr=bool(url), site_names=site.names if site else {})
            render_layout(spec, paint=False)
        except SlideDoesNotFit as exc:
            if exc.langs:
                return refusal("the message is too long for the %(width)s×%(height)s screens "
                               "of %(site)s (%(languages)s take the most room): shorten it",
                               width=screen.width, height=screen.height,
                               site=screen.site_id, languages=language_list(exc.langs))
            return refusal("the message is too long for the %(width)s×%(height)s screens of "
                           "%(site)s: shorten it", width=screen.width, height=screen.height,
                           site=screen.site_id)
        except SlideError as exc:
            return refusal("the message cannot be shown: %(why)s", why=str(exc))
    return None
