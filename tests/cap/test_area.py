"""Does an area cover a site: point in polygon (inside, outside, on an edge, on a
vertex, a concave ring, a ring far away), circle (great-circle distance), geocode."""

from __future__ import annotations

import pytest

from controller.cap.area import covers, distance_km, in_circle, in_polygon
from controller.cap.message import Area, Circle

HUE = ((16.0, 107.1), (16.8, 107.1), (16.8, 108.3), (16.0, 108.3), (16.0, 107.1))
# A "C" open to the east: its notch (16.4, 108.0) is outside.
C_SHAPE = ((16.0, 107.0), (16.0, 108.2), (16.3, 108.2), (16.3, 107.5), (16.5, 107.5),
           (16.5, 108.2), (16.8, 108.2), (16.8, 107.0))
SITES = {"chan-may-port": (16.33, 108.00), "phu-bai-airport": (16.40, 107.70),
         "a-dot-border-gate": (16.23, 107.37), "lang-co-pano": (16.26, 108.07)}


@pytest.mark.parametrize("site", sorted(SITES))
def test_the_province_polygon_covers_every_demo_site(site):
    assert in_polygon(SITES[site], HUE)


@pytest.mark.parametrize("point, inside", [
    ((16.0, 107.5), True),  # on the southern edge
    ((16.8, 108.3), True),  # on a vertex
    ((16.4, 107.1), True),  # on the western edge
    ((15.99, 107.5), False),
    ((16.4, 108.31), False),
])
def test_edges_and_vertices_are_inside(point, inside):
    assert in_polygon(point, HUE) is inside


def test_a_concave_ring():
    assert not in_polygon((16.4, 108.0), C_SHAPE)  # in the notch
    assert in_polygon((16.1, 108.0), C_SHAPE)  # in the lower arm
    assert in_polygon((16.4, 107.2), C_SHAPE)  # in the back
    assert in_polygon(C_SHAPE[3], C_SHAPE)  # an inner vertex


def test_a_ring_far_away_covers_nothing_and_an_unclosed_ring_is_closed():
    quang_ninh = ((20.7, 106.9), (21.6, 106.9), (21.6, 108.0), (20.7, 108.0))
    assert not any(in_polygon(p, quang_ninh) for p in SITES.values())
    assert in_polygon((21.0, 107.5), quang_ninh)


def test_great_circle_distance_and_circles():
    assert distance_km((0, 0), (0, 1)) == pytest.approx(111.19, abs=0.01)
    assert distance_km(SITES["chan-may-port"], SITES["lang-co-pano"]) == pytest.approx(
        10.8, abs=0.3)
    port = Circle(16.33, 108.00, 3)
    assert in_circle(SITES["chan-may-port"], port)
    assert not in_circle(SITES["lang-co-pano"], port)
    assert in_circle(SITES["lang-co-pano"], Circle(16.33, 108.00, 11))
    edge = Circle(0, 0, distance_km((0, 0), (0, 1)))
    assert in_circle((0, 1), edge)  # on the circle: inside


def test_covers_by_geocode_even_without_a_location():
    area = Area("Thừa Thiên Huế", geocodes=(("ISO3166-2", "VN-26"),))
    assert covers(area, None, {"ISO3166-2": ["VN-26"]})
    assert not covers(area, None, {"ISO3166-2": ["VN-13"]})
    assert not covers(area, SITES["chan-may-port"], {})  # geocodes only: no location match
    assert not covers(Area("x", polygons=(HUE,)), None, {})
