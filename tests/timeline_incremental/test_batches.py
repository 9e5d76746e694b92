"""The batches a rebuild stores and pushes (controller/timeline/batches.py): every
screen once, a small first batch, one batch ending at the middle screen, none too
large, and no batch of a handful of screens in the middle of a large rebuild."""

from __future__ import annotations

from controller.timeline.batches import (
    FIRST_BATCH,
    LARGEST_BATCH,
    SECOND_BATCH,
    batch_sizes,
    later_parts,
)


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


def test_the_screens_after_the_first_batch_load_in_parts_split_where_a_batch_ends() -> None:
    for total in range(0, 1200, 7):
        order = [f"s{n:04d}" for n in range(total)]
        parts = later_parts(order)
        assert [s for part in parts for s in part] == order[FIRST_BATCH:]
        if len(parts) == 2:  # the first part's last screen ends a batch
            sizes = batch_sizes(total)
            ends = {sum(sizes[:n + 1]) for n in range(len(sizes))}
            assert FIRST_BATCH + len(parts[0]) in ends, (total, sizes)
