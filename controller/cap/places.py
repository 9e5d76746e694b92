"""Where a site is, as official warnings need it: ``location: {lat, lon}`` and
``geocodes: {valueName: [values]}`` of a site in ``config/sites.yaml``, checked here
for the sites import (bounded: a site names at most :data:`MAX_GEOCODE_NAMES` code
lists of :data:`MAX_GEOCODE_VALUES` values)."""

from __future__ import annotations

import re

from controller.content.yamlfile import Fields
from controller.refusals import refusal

MAX_GEOCODE_NAMES = 20
MAX_GEOCODE_VALUES = 50
GEOCODE_RE = re.compile(r"^[^\s]{1,100}$")


def parse_location(site: Fields) -> tuple[float | None, float | None]:
    """(latitude, longitude) in degrees, or (None, None) without ``location``."""
    if not site.has("location"):
        return None, None
    block = site.mapping("location")
    block.only(required=("lat", "lon"))
    return block.number("lat", low=-90, high=90), block.number("lon", low=-180, high=180)


def parse_geocodes(site: Fields) -> dict[str, list[str]]:
    """The CAP geocodes the site lies in, e.g. ``{"VN-province": ["46"]}``."""
    if not site.has("geocodes"):
        return {}
    block = site.mapping("geocodes")
    if len(block.data) > MAX_GEOCODE_NAMES:
        block.fail(None, refusal("'geocodes' lists %(count)d code names; the limit is "
                                 "%(limit)d", count=len(block.data), limit=MAX_GEOCODE_NAMES))
    out: dict[str, list[str]] = {}
    for name in block.data:
        if not isinstance(name, str) or not GEOCODE_RE.fullmatch(name):
            block.fail(None, refusal("geocode name %(name)r must be 1-100 characters "
                                     "without spaces", name=str(name)[:40]))
        values = block.text_list(name, pattern=GEOCODE_RE, max_len=100,
                                 hint=refusal("1-100 characters without spaces"))
        if len(values) > MAX_GEOCODE_VALUES:
            block.fail(name, refusal("geocode %(name)r lists %(count)d values; the limit is "
                                     "%(limit)d", name=name, count=len(values),
                                     limit=MAX_GEOCODE_VALUES))
        out[name] = values
    return out
