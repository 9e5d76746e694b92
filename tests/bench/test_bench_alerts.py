"""`python -m bench.alerts_eval` at its smallest: a pass of the alerts' rules over a tiny
fleet, healthy and with a push in flight, against its baseline, its table printed (the
bench itself checks that the in-flight pass left a pending incident per screen and the
next pass none); bad arguments refused. No timing is asserted."""

from __future__ import annotations

from support.bench_run import run_bench


def _run(*args: str):  # noqa: ANN202
    return run_bench("alerts_eval", *args)


def test_the_alerts_bench_prints_the_pass_against_its_baseline() -> None:
    run = _run("--screens", "5", "--runs", "1")
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    rows = [line.split("|") for line in run.stdout.splitlines() if line.startswith("| 5 ")]
    assert [row[2].strip() for row in rows] == ["baseline", "healthy", "in flight",
                                                 "acked"], run.stdout
    assert rows[0][-2].strip() == "1.00", run.stdout  # the base of the ratio


def test_the_alerts_bench_refuses_bad_sizes() -> None:
    for args, words in ((("--screens", "0"), "between 1 and 9999"),
                        (("--screens", "many"), "whole numbers"),
                        (("--runs", "0"), "between 1 and 100")):
        run = _run(*args)
        assert run.returncode == 2 and words in run.stderr, (args, run.stderr)
