"""The verdict on one capture (pure): black, frozen, wrong, ok or unknown, with the
reason a person reads on the Screens page.

- **black**: the capture is (almost) all dark (``analysis.is_black``) while the player
  shows an item whose expected frame is not itself black (the idle page, shown when
  nothing is scheduled, is dark on purpose: "unknown").
- **frozen**: the capture looks like the previous periodic capture (dHash distance at
  most ``frozen_distance``) although the player was showing another item then, whose
  expected frame differs from this one (two items that look alike are not "frozen").
- **wrong**: the capture is further than ``tolerance`` bits from the expected frame.
- **ok**: within ``tolerance``.
- **unknown**: nothing to compare with (a video, a web page, no rendered slide, no
  timeline) and neither black nor frozen."""

from __future__ import annotations

from dataclasses import dataclass

from controller.screen_truth.analysis import Look, distance


@dataclass(frozen=True)
class Previous:
    """The screen's previous periodic capture: its hash, the item it was taken during
    and that item's expected hash (None if it had none)."""

    dhash: int
    item: str | None
    expected_dhash: int | None


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str
    distance: int | None = None  # bits from the expected frame, when there was one


def judge(capture: Look, item: str | None, expected: Look | None,
          previous: Previous | None, tolerance: int, frozen_distance: int) -> Verdict:
    away = None if expected is None else distance(capture.dhash, expected.dhash)
    if capture.black and item is None:
        # Nothing scheduled: the idle page is dark on purpose (a faint name in a corner).
        return Verdict("unknown", "The capture is dark, as the idle page is: the player "
                                  "shows no item now.", away)
    if capture.black and not (expected is not None and expected.black):
        return Verdict("black", f"The capture is black (mean brightness {capture.mean:.0f} "
                                "of 255) while the player says it shows "
                                f"{_item(item)}.", away)
    if previous is not None and item is not None and previous.item is not None \
            and previous.item != item \
            and distance(capture.dhash, previous.dhash) <= frozen_distance \
            and not _alike(expected, previous, frozen_distance):
        return Verdict("frozen", f"The screen looks the same as in the previous capture "
                                 f"({_item(previous.item)}) although the player moved on "
                                 f"to {_item(item)}.", away)
    if expected is None or away is None:
        return Verdict("unknown", f"Nothing to compare with for {_item(item)} (a video, a "
                                  "web page or no rendered frame); the capture is not black.")
    if away > tolerance:
        return Verdict("wrong", f"The capture differs from the expected frame of "
                                f"{_item(item)} ({away} of 64 bits; at most {tolerance} "
                                "pass).", away)
    return Verdict("ok", f"The capture matches the expected frame of {_item(item)} "
                         f"({away} of 64 bits differ).", away)


def _alike(expected: Look | None, previous: Previous, frozen_distance: int) -> bool:
    """Whether the two items' expected frames look alike (then a still screen is right)."""
    if expected is None or previous.expected_dhash is None:
        return False
    return distance(expected.dhash, previous.expected_dhash) <= frozen_distance


def _item(item: str | None) -> str:
    return f"item {item!r}" if item else "no item"
