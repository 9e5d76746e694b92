"""Real controller and player processes for end-to-end tests.

Each runs the real console entry point (``python -m controller.cli`` / ``python -m
player.cli``) as a subprocess on a free 127.0.0.1 port, with its own data directory, so a
test can kill and restart it like a technician would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1,
             what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - polling through transient errors
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                         + (f" (last error: {last_exc!r})" if last_exc else ""))


def call_api(method: str, url: str, token: str, body: Any = None,
             timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """One HTTP call with a bearer token and an optional JSON body: status, headers and
    the raw answer (a refusal is returned, not raised)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get_json(url: str, token: str | None = None, timeout: float = 5.0) -> tuple[int, Any]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return err.code, json.loads(body)
        except ValueError:
            return err.code, body.decode(errors="replace")


class Proc:
    """A subprocess whose combined output goes to a log file the test can read."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None,
                 cwd: Path = REPO) -> None:
        self.args, self.log_path, self.cwd = args, log, cwd
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.popen = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                      cwd=self.cwd, env=self.env, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self._log.close()
        self.popen = None

    def kill(self) -> None:
        """SIGKILL: a crash or a pulled power cable, no clean shutdown."""
        self.stop(signal.SIGKILL)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def controller_cli(data_dir: Path, *args: str, port: int | None = None,
                   env: dict[str, str] | None = None, input: str | None = None,
                   check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one ``pano-controller`` command to completion."""
    cmd = [sys.executable, "-m", "controller.cli", "--data-dir", str(data_dir)]
    if port:
        cmd += ["--port", str(port)]
    res = subprocess.run(cmd + list(args), cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, input=input, timeout=60)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({res.returncode}):\n"
                             f"{res.stdout}\n{res.stderr}")
    return res


class Controller(Proc):
    def __init__(self, data_dir: Path, port: int | None = None,
                 env: dict[str, str] | None = None, name: str = "controller") -> None:
        self.data_dir, self.port = data_dir, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__([sys.executable, "-m", "controller.cli", "--data-dir", str(data_dir),
                          "--port", str(self.port), "serve"],
                         data_dir / f"{name}-{self.port}.log", env)

    def start(self, timeout: float = 30.0) -> Controller:
        super().start()

        def up() -> bool:
            if not self.alive():
                raise AssertionError(f"controller exited:\n{self.output()}")
            with socket.socket() as s:
                s.settimeout(0.5)
                return s.connect_ex(("127.0.0.1", self.port)) == 0
        try:
            wait_for(up, timeout, what=f"controller on port {self.port}")
        except AssertionError as exc:
            # Not left running when it starts too late (a loaded machine): a test that
            # failed here would leak a serving controller for the rest of the run.
            self.kill()
            raise AssertionError(f"{exc}; its output:\n{self.output()[-3000:]}") from None
        return self


class Player(Proc):
    def __init__(self, controller_url: str, screen: str, token: str, cache_dir: Path,
                 display: str = "headless", http_port: int | None = None,
                 extra: list[str] | None = None, env: dict[str, str] | None = None) -> None:
        self.http_port = http_port or free_port()
        self.status_url = f"http://127.0.0.1:{self.http_port}/status"
        # The credential in the environment, as docs/operations.md advises (never on a
        # command line, where every local user sees it).
        super().__init__([sys.executable, "-m", "player.cli", "--controller", controller_url,
                          "--screen", screen, "--cache-dir", str(cache_dir),
                          "--display", display, "--http-port", str(self.http_port),
                          *(extra or [])],
                         cache_dir.parent / f"player-{screen}-{self.http_port}.log",
                         {"PANO_TOKEN": token, **(env or {})})

    def start(self, timeout: float = 20.0) -> Player:
        super().start()
        try:
            wait_for(self._status_ok, timeout, what="player /status")
        except AssertionError as exc:
            self.kill()  # not left running after a late start, as Controller.start
            raise AssertionError(f"{exc}; its output:\n{self.output()[-3000:]}") from None
        return self

    def _status_ok(self) -> bool:
        if not self.alive():
            raise AssertionError(f"player exited:\n{self.output()}")
        return self.status()[0] == 200

    def status(self) -> tuple[int, Any]:
        return get_json(self.status_url, timeout=2.0)
