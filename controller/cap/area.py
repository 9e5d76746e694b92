"""Does a CAP area cover a site? Pure geometry on WGS 84 degrees, small enough to test
whole (no GIS library is needed for a point against a few polygons).

- **polygon**: ray casting on (lon, lat) as a plane, which is what CAP polygons mean at
  the scale of a province; a point *on* an edge or a vertex is inside (a warning drawn
  along a coast or a border must not miss the site sitting on its line);
- **circle**: great-circle (haversine) distance from the centre, at most the radius;
- **geocode**: the site lists the codes it lies in (``geocodes`` in config/sites.yaml);
  a match is the same ``valueName`` and the same ``value``, compared exactly."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from controller.cap.message import Area, Circle, Point

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
EPSILON = 1e-9  # degrees: "on the edge" tolerance for float noise


def _on_segment(lat: float, lon: float, a: Point, b: Point) -> bool:
    (alat, alon), (blat, blon) = a, b
    cross = (blon - alon) * (lat - alat) - (blat - alat) * (lon - alon)
    if abs(cross) > EPSILON * max(1.0, abs(blon - alon) + abs(blat - alat)):
        return False
    return (min(alon, blon) - EPSILON <= lon <= max(alon, blon) + EPSILON
            and min(alat, blat) - EPSILON <= lat <= max(alat, blat) + EPSILON)


def in_polygon(point: Point, ring: Sequence[Point]) -> bool:
    """Whether ``point`` (lat, lon) is inside or on the ring (closed or not)."""
    lat, lon = point
    count = len(ring)
    inside = False
    for i in range(count):
        a, b = ring[i], ring[(i + 1) % count]
        if _on_segment(lat, lon, a, b):
            return True
        (alat, alon), (blat, blon) = a, b
        # A horizontal ray towards +lon; an edge counts when it straddles the point's
        # latitude (half-open, so a vertex on the ray is counted once).
        if (alat > lat) != (blat > lat):
            crossing = alon + (lat - alat) * (blon - alon) / (blat - alat)
            if crossing > lon:
                inside = not inside
    return inside


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_circle(point: Point, circle: Circle) -> bool:
    return distance_km(point, (circle.lat, circle.lon)) <= circle.radius_km + 1e-9


def geocode_match(area: Area, geocodes: Mapping[str, Iterable[Any]]) -> bool:
    return any(value in set(geocodes.get(name) or ()) for name, value in area.geocodes)


def covers(area: Area, location: Point | None, geocodes: Mapping[str, Iterable[Any]]) -> bool:
    """Whether ``area`` covers a site at ``location`` (None: unknown, so only its
    geocodes can match) with ``geocodes``."""
    if location is not None:
        if any(in_polygon(location, ring) for ring in area.polygons):
            return True
        if any(in_circle(location, circle) for circle in area.circles):
            return True
    return geocode_match(area, geocodes)
