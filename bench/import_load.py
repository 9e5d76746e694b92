"""`python -m bench.import_load` — does a large playlist import stall the controller?

A real gevent controller (`pano-controller serve`, with its embedded job worker when
the code has one) on 127.0.0.1, twenty real players on `/player` timing the `time`
round trip and a prober timing `GET /healthz` every 50 ms. Each round:

- phase B: a ~150 MB playlist zip (3 videos, ~22 photos of 6 megapixels; new files
  every round) is uploaded with curl (another process: the upload costs this process
  nothing) and followed to its end (the 201, or the job after a 202);
- phase A: the same probes for as long again, with nothing else happening (the
  baseline, in the same run).

The table gives p50/p95/p99/max of each probe in both phases (medians over rounds),
the ratio, the import's duration and the job's progress as the person sees it. Exit
status 1 when a phase-B p99 is 100 ms or more (issue 10, defect 8).

    python -m bench.import_load                  # 3 rounds of 150 MB
    python -m bench.import_load --rounds 5 --megabytes 100
    python -m bench.import_load --repo /tmp/pano-before   # another checkout's controller
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import yaml

from bench import procs
from bench.import_bundle import make_bundle
from bench.import_probes import Probes, median_of, probe_table, stats
from bench.pano_system import sites_yaml

GOAL_MS = 100.0
SCREENS = 20
IMPORT_TIMEOUT = 600.0
MIN_PHASE = 3.0  # seconds


def prepare(repo: Path, data: Path, workdir: Path) -> tuple[str, list[dict[str, str]]]:
    """The demo's agencies and playlists, SCREENS bench screens; an admin's API token
    and the screens' credentials. The schema is made by ``repo``'s own code."""
    sites = workdir / "sites.yaml"
    sites.write_text(yaml.safe_dump(sites_yaml(SCREENS), allow_unicode=True))
    subprocess.run([sys.executable, "-m", "controller.cli", "--data-dir", str(data), "import",
                    "--agencies", str(repo / "config" / "agencies.yaml"), "--sites", str(sites),
                    "--playlists", str(repo / "playlists")], cwd=repo, check=True,
                   env={**_env(repo), "PANO_MEDIA_SOURCE_DIR": str(repo / "media")},
                   capture_output=True, timeout=300)
    from controller.auth.tokens import issue_screen_token, issue_user_token
    from controller.auth.users import add_user
    from controller.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{data / 'pano.db'}")
    try:
        with make_session_factory(engine)() as session:
            add_user(session, "bench-admin", "admin", password="bench import load")
            session.flush()
            token = issue_user_token(session, "bench-admin")
            screens = [{"screen": f"bench-screen-{i:04d}",
                        "token": issue_screen_token(session, f"bench-screen-{i:04d}")}
                       for i in range(SCREENS)]
            session.commit()
    finally:
        engine.dispose()
    return token, screens


def _env(repo: Path) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(repo)}


def import_once(url: str, token: str, bundle: Path, started: float
                ) -> tuple[float, int, list[str]]:
    """Upload with curl and follow the job: (seconds to the end, first status, the job's
    progress as its creator sees it every 250 ms, also while the request waits)."""
    headers = {"Authorization": f"Bearer {token}"}
    known = {j["id"] for j in _jobs(url, headers)}
    curl = subprocess.Popen(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {token}",
         "-F", f"file=@{bundle};type=application/zip", f"{url}/api/v1/playlists/import"],
        stdout=subprocess.PIPE, text=True)
    seen: list[str] = []
    while curl.poll() is None and time.monotonic() - started < IMPORT_TIMEOUT:
        job = next((j for j in _jobs(url, headers) if j["id"] not in known), None)
        if job is not None:
            seen.append(_progress(job, started))
        time.sleep(0.25)
    out, _ = curl.communicate(timeout=10)
    body, _, code = out.rpartition("\n")
    status = int(code)
    answer = json.loads(body) if body.strip() else {}
    if status == 202:
        while answer.get("status") not in ("done", "failed"):
            if time.monotonic() - started > IMPORT_TIMEOUT:
                raise TimeoutError("the import job did not end")
            seen.append(_progress(answer, started))
            time.sleep(0.25)
            answer = requests.get(url + answer["url"], headers=headers, timeout=10).json()
        if answer["status"] != "done":
            raise RuntimeError(f"the import failed: {answer['error']}")
    elif status not in (200, 201):
        raise RuntimeError(f"the import was refused ({status}): {body[:300]}")
    return time.monotonic() - started, status, seen


def _jobs(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The caller's latest jobs; none from a controller without jobs (older code)."""
    answer = requests.get(f"{url}/api/v1/jobs?limit=3", headers=headers, timeout=10)
    return answer.json()["jobs"] if answer.status_code == 200 else []


def _progress(job: dict[str, Any], started: float) -> str:
    p = job["progress"]
    return (f"{time.monotonic() - started:5.1f} s {job['status']:7} {p['done']}/{p['total']} "
            f"{p['message']}")


def run(repo: Path, rounds: int, megabytes: int, workdir: Path) -> dict[str, Any]:
    data = workdir / "var"
    token, screens = prepare(repo, data, workdir)
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    server = procs.start([sys.executable, "-m", "controller.cli", "--data-dir", str(data),
                          "--port", str(port), "serve"], cwd=repo,
                         env={"PANO_ASYNC_MODE": "gevent", "PANO_SCHEDULER": "1"},
                         log=workdir / "controller.log")
    results: dict[str, Any] = {"rounds": []}
    probes = None
    try:
        procs.wait_for_port(port, 60, server)
        probes = Probes(url, screens).start()
        time.sleep(2.0)  # connected, first timelines sent and acked
        for n in range(rounds):
            bundle = make_bundle(workdir / "bundle", f"bench-import-{n}", megabytes)
            time.sleep(1.0)
            b_start = time.monotonic()
            seconds, status, seen = import_once(url, token, bundle.path, b_start)
            b_end = time.monotonic()
            time.sleep(0.5)
            a_start = time.monotonic()
            time.sleep(max(MIN_PHASE, b_end - b_start))
            a_end = time.monotonic()
            bundle.path.unlink()
            results["rounds"].append({
                "bundle_mb": bundle.size / 1e6, "videos": bundle.videos, "photos": bundle.photos,
                "import_s": seconds, "first_status": status, "progress": seen,
                "B": {"healthz": stats(probes.health.between(b_start, b_end)),
                      "time": stats(probes.rtt.between(b_start, b_end))},
                "A": {"healthz": stats(probes.health.between(a_start, a_end)),
                      "time": stats(probes.rtt.between(a_start, a_end))},
                "slow_B": {"healthz": probes.health.slow(b_start, b_end, 50.0),
                           "time": probes.rtt.slow(b_start, b_end, 50.0)}})
            print(f"round {n + 1}: {bundle.size / 1e6:.0f} MB imported in {seconds:.1f} s "
                  f"(first answer {status})", file=sys.stderr, flush=True)
        results["failures"] = {"healthz": probes.health.failures, "time": probes.rtt.failures}
    finally:
        if probes is not None:
            probes.stop()
        procs.stop(server, grace=40)
    return results


def table(results: dict[str, Any], label: str) -> str:
    rounds = results["rounds"]
    first = rounds[0]
    lines = [f"### Import under load: {label}",
             f"{len(rounds)} rounds of a {first['bundle_mb']:.0f} MB zip ({first['videos']} "
             f"videos, {first['photos']} photos of 6 MP); {SCREENS} players; medians over "
             "rounds", "",
             *probe_table(results, "import", ("p50", "p95", "p99", "max"))]
    durations = [r["import_s"] for r in rounds]
    lines += ["", f"import duration: median {statistics.median(durations):.1f} s "
              f"(rounds: {', '.join(f'{d:.1f}' for d in durations)}); first answer: "
              f"{', '.join(str(r['first_status']) for r in rounds)}; probe failures: "
              f"{results['failures']}"]
    if first["progress"]:
        step = max(1, len(first["progress"]) // 12)
        lines += ["", "job progress, round 1 (every 250 ms, some shown):", "```"]
        lines += first["progress"][::step] + ["```"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=150)
    parser.add_argument("--repo", type=Path, default=procs.REPO,
                        help="the checkout whose controller runs (default: this one)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="pano-bench-import-") as tmp:
        results = run(repo, args.rounds, args.megabytes, Path(tmp))
    label = "this checkout" if repo == procs.REPO else str(repo)
    print(table(results, label))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    worst = max(median_of(results, "B", probe, "p99") for probe in ("healthz", "time"))
    if worst >= GOAL_MS:
        print(f"\nFAIL: a p99 during the import is {worst:.0f} ms (goal: under "
              f"{GOAL_MS:.0f} ms)")
        return 1
    print(f"\nOK: every p99 during the import is under {GOAL_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
