"""How a rebuild cuts its screens into batches, each stored, committed and pushed before
the next is built (``controller.timeline.publisher``; docs/architecture.md "The push
path", 4).

The first batch is small (``FIRST_BATCH``), so the first push waits for a few bodies
only; the second is four times larger. After that the batches end exactly at the
middle screen of the rebuild, then go on to the end, none larger than ``LARGEST_BATCH``
and the ones on either side of the middle of equal size: the middle screen is pushed
(and its ack answered) once half the screens are built, not when a batch that straddles
the middle is done (500 screens: 16, 64, 85, 85, 125, 125; 161: 16, 65, 80). Each
batch costs a commit and a few statements, about 1 ms on the bench's machine: a cap of
128 keeps a large fleet's batches in the hundreds.
"""

from __future__ import annotations

from itertools import accumulate

FIRST_BATCH = 16
SECOND_BATCH = 64
LARGEST_BATCH = 128


def middle_screen(total: int) -> int:
    """How many screens of a rebuild of ``total`` come up to its middle one, included."""
    return -(-total // 2)


def later_parts(order: list[str]) -> list[list[str]]:
    """The screens of ``order`` loaded after the first batch's, in two parts, each once
    the screens before it are pushed: up to the end of the batch with the middle screen
    (its push does not wait for the others' loading), then the others."""
    half = middle_screen(len(order))
    middle = next((end for end in accumulate(batch_sizes(len(order))) if end >= half),
                  len(order))  # the end of the batch with the middle screen: it, mostly
    middle = max(FIRST_BATCH, middle)
    return [part for part in (order[FIRST_BATCH:middle], order[middle:]) if part]


def _even(count: int, largest: int) -> list[int]:
    """``count`` cut into the fewest parts of at most ``largest``, of equal size (±1)."""
    if count <= 0:
        return []
    parts = -(-count // largest)
    small, extra = divmod(count, parts)
    return [small + 1] * extra + [small] * (parts - extra)


def batch_sizes(total: int, largest: int = LARGEST_BATCH) -> list[int]:
    """The batches' sizes for a rebuild of ``total`` screens (they add up to it)."""
    sizes: list[int] = []
    left = total
    for size in (FIRST_BATCH, SECOND_BATCH):
        if left <= 0:
            return sizes
        sizes.append(min(size, left))
        left -= sizes[-1]
    middle = min(left, max(0, middle_screen(total) - (total - left)))
    if 0 < middle < FIRST_BATCH:  # a batch for a few screens: the one before takes them
        sizes[-1] += middle
        left -= middle
        middle = 0
    return sizes + _even(middle, largest) + _even(left - middle, largest)
