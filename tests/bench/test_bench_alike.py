"""`python -m bench.alike` at its smallest: the bench's fleet rebuilt in one process with
screens alike grouped and not, its table printed; bad arguments refused. No timing is
asserted."""

from __future__ import annotations

from support.bench_run import run_bench


def _run(*args: str):  # noqa: ANN202
    return run_bench("alike", *args)


def test_the_alike_bench_prints_both_builds_and_their_ratio() -> None:
    run = _run("--screens", "20", "--runs", "1")
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows[1:]] == [
        "every screen its own body", "screens alike"], run.stdout
    assert rows[1].rstrip(" |").endswith("1.00"), run.stdout  # the base of the ratio


def test_the_alike_bench_refuses_an_empty_fleet() -> None:
    run = _run("--screens", "0")
    assert run.returncode == 2 and "at least 1" in run.stderr, run.stderr


def test_the_media_access_bench_prints_its_three_tables() -> None:
    """`python -m bench.media_access` at its smallest: per fetch, per rebuild and per
    store, each against its baseline."""
    run = run_bench("media_access", "--screens", "10", "--runs", "1")
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    baselines = [line for line in run.stdout.splitlines() if line.startswith("| baseline")]
    assert len(baselines) == 3 and all(b.rstrip(" |").endswith("1.00") for b in baselines)
    assert "| a new set of files |" in run.stdout, run.stdout
