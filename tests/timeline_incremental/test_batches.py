"""The batches a rebuild stores and pushes (controller/timeline/batches.py): every
screen once, a small first batch, one batch ending at the middle screen, none too
large, and no batch of a handful of screens in the middle of a large rebuild."""

from __future__ import annotations

from controller.timeline.batches import FIRST_BATCH, LARGEST_BATCH, SECOND_BATCH, batch_sizes


def test_every_screen_once_and_the_middle_screen_ends_a_batch() -> None:
    for total in range(0, 3001):
        _check(total)


def _check(total: int) -> None:
    sizes = batch_sizes(total)
    assert sum(sizes) == total and all(size > 0 for size in sizes)
    if total:
        assert sizes[0] == min(FIRST_BATCH, total)
    assert max(sizes, default=0) <= max(LARGEST_BATCH, SECOND_BATCH + FIRST_BATCH)
    ends = [sum(sizes[:n + 1]) for n in range(len(sizes))]
    middle = -(-total // 2)
    if middle >= FIRST_BATCH + SECOND_BATCH:  # (below, it is in the second batch)
        assert middle in ends, (total, sizes)  # pushed with its batch, no later
        assert min(sizes[1:]) >= FIRST_BATCH, (total, sizes)  # no commit for a handful


def test_five_hundred_screens() -> None:
    assert batch_sizes(500) == [16, 64, 85, 85, 125, 125]
