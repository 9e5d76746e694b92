"""Jobs through real processes (docs/operations.md, "Jobs"): a gevent controller
subprocess with its embedded worker subprocess imports a zip; a worker killed with
``kill -9`` in the middle of an import leaves a failed job (never "running" forever) and
no draft, and is started again; ``pano-controller worker`` runs the jobs of a controller
set to ``jobs_worker: external`` and stops cleanly on SIGTERM; with a Redis message
queue the jobs ride on that Redis."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import sys
import zipfile
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from support.fleet import admin_token, fast_playlists, prepare
from support.processes import Controller, Proc, wait_for
from support.redis import redis_url  # noqa: F401  (fixture)

ABANDONED = "The worker doing this job stopped before it finished"


def big_photo(size: tuple[int, int] = (7000, 5000)) -> bytes:
    """A large picture that compresses well: slow to decode, small to send."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def small_photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3)).save(out, "JPEG")
    return out.getvalue()


def bundle(playlist_id: str, photos: list[bytes]) -> bytes:
    items = "\n".join(
        f"  - id: photo-{n}\n    type: image\n    duration: 8\n    variants:\n"
        f"      vi: {{title: \"Ảnh {n}\", media: p{n}.jpg}}\n"
        f"      en: {{title: \"Photo {n}\", media: p{n}.jpg}}" for n in range(len(photos)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{playlist_id}.yaml",
                         f"id: {playlist_id}\ntitle: {{vi: \"Ảnh\", en: \"Photos\"}}\n"
                         f"agency: culture\nitems:\n{items}\n")
        for n, data in enumerate(photos):
            archive.writestr(f"media/p{n}.jpg", data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def upload(url: str, token: str, name: str, data: bytes) -> requests.Response:
    return requests.post(f"{url}/api/v1/playlists/import", files={"file": (name, data)},
                         headers={"Authorization": f"Bearer {token}"}, timeout=60)


def job(url: str, token: str, location: str) -> dict[str, Any]:
    answer = requests.get(url + location, headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def ended(url: str, token: str, location: str, timeout: float = 60) -> dict[str, Any]:
    return wait_for(lambda: (lambda j: j if j["status"] in ("done", "failed") else None)(
        job(url, token, location)), timeout=timeout, what="the job to end")


def imported(url: str, token: str, response: requests.Response) -> dict[str, Any]:
    """The import's answer, at once (201/200) or through its job (202)."""
    if response.status_code == 202:
        done = ended(url, token, response.headers["Location"])
        assert done["status"] == "done", done
        return done["result"]
    assert response.status_code in (200, 201), response.text
    return response.json()


def playlist_exists(url: str, token: str, playlist_id: str) -> bool:
    return requests.get(f"{url}/api/v1/playlists/{playlist_id}", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).status_code == 200


def worker_of(data: Path, job_id: str) -> int:
    with sqlite3.connect(data / "pano.db") as db:
        (worker,) = db.execute("select worker from jobs where id = ?", (job_id,)).fetchone()
    return int(worker.rpartition(":")[2])


def test_the_embedded_worker_imports_and_a_killed_one_fails_its_job(tmp_path: Path) -> None:
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    admin = admin_token(data)
    controller = Controller(data, env={"PANO_ASYNC_MODE": "gevent",
                                       "PANO_JOBS_WAIT": "0"}).start()
    try:
        result = imported(controller.url, admin, upload(
            controller.url, admin, "small.zip", bundle("jobs-small", [small_photo(1)])))
        assert result["created"] == 1 and result["playlists"][0]["id"] == "jobs-small"

        photo = big_photo()
        response = upload(controller.url, admin, "slow.zip",
                          bundle("jobs-killed", [photo] * 12))
        assert response.status_code == 202, response.text
        location = response.headers["Location"]
        job_id = location.rsplit("/", 1)[1]
        wait_for(lambda: job(controller.url, admin, location)["progress"]["done"] >= 1,
                 timeout=60, what="the import to be checking its media")
        pid = worker_of(data, job_id)
        os.kill(pid, signal.SIGKILL)
        failed = ended(controller.url, admin, location, timeout=30)
        assert failed["status"] == "failed", failed
        assert failed["error"]["message"].startswith(ABANDONED), failed
        assert not playlist_exists(controller.url, admin, "jobs-killed")
        wait_for(lambda: f"job worker (pid {pid}) died" in controller.output(),
                 what="the death logged")
        # The worker started in its place removed the dead one's work folder at once.
        wait_for(lambda: "removed 1 abandoned work folder(s)" in controller.output(),
                 timeout=30, what="the new worker sweeping the dead one's folder")
        assert not any((data / "tmp").iterdir())
        # started again: the next import goes through
        result = imported(controller.url, admin, upload(
            controller.url, admin, "again.zip", bundle("jobs-again", [small_photo(2)])))
        assert result["created"] == 1
    finally:
        controller.stop()
    assert "Traceback" not in controller.output()


def test_an_external_worker_runs_the_jobs_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    admin = admin_token(data)
    env = {"PANO_JOBS_WORKER": "external", "PANO_JOBS_WAIT": "0"}
    controller = Controller(data, env=env).start()
    worker = Proc([sys.executable, "-m", "controller.cli", "--data-dir", str(data),
                   "worker"], data / "worker.log", env)
    try:
        response = upload(controller.url, admin, "queued.zip",
                          bundle("jobs-external", [small_photo(3)]))
        assert response.status_code == 202
        location = response.headers["Location"]
        assert job(controller.url, admin, location)["status"] == "queued"  # no worker yet
        worker.start()
        done = ended(controller.url, admin, location)
        assert done["status"] == "done" and done["result"]["created"] == 1, done
        assert worker.popen is not None
        worker.popen.send_signal(signal.SIGTERM)
        # A second SIGTERM while it stops (a controller stopped through its process
        # group passes one on and sends its own) is the same request, not "stop now".
        wait_for(lambda: "Received SIGTERM" in worker.output(), what="the worker stopping")
        worker.popen.send_signal(signal.SIGTERM)
        assert worker.popen.wait(timeout=20) == 0
    finally:
        worker.stop()
        controller.stop()
    assert "Traceback" not in worker.output() + controller.output()


def test_jobs_ride_on_the_redis_of_the_message_queue(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    admin = admin_token(data)
    env = {"PANO_MESSAGE_QUEUE": redis_url, "PANO_JOBS_WAIT": "0",
           "PANO_MESSAGE_QUEUE_CHANNEL": f"pano-test-jobs-{os.getpid()}"}
    controller = Controller(data, env={**env, "PANO_ASYNC_MODE": "gevent"}).start()
    try:
        answers = [upload(controller.url, admin, f"r{n}.zip",
                          bundle(f"jobs-redis-{n}", [small_photo(n)])) for n in range(2)]
        for answer in answers:
            assert answer.status_code == 202, answer.text
            done = ended(controller.url, admin, answer.headers["Location"])
            assert done["status"] == "done" and done["result"]["created"] == 1, done
        assert not (data / "jobs-queue.db").exists()  # the queue is Redis's
    finally:
        controller.stop()
    assert "Traceback" not in controller.output()


def test_the_embedded_worker_stops_when_its_controller_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    controller = Controller(data).start()
    try:
        line = wait_for(lambda: re.search(r"job worker started \(pid (\d+)\)",
                                          controller.output()), what="the worker started")
        worker = int(line.group(1))
        assert controller.popen is not None
        os.kill(controller.popen.pid, signal.SIGKILL)  # the controller alone, not its group

        def gone() -> bool:
            try:
                os.kill(worker, 0)
            except ProcessLookupError:
                return True
            return Path(f"/proc/{worker}/stat").read_text().split(")")[1].split()[0] == "Z"

        wait_for(gone, timeout=20, what="the orphaned worker to stop")
    finally:
        controller.stop()
