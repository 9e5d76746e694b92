"""The ``stack`` system of ``python -m bench``: the controller's socket stack with nothing
behind it (bench/stack_server.py) and the same python-socketio clients as Pano's. Its
figures are the floor of Pano's: between them and the baseline's is what Flask-SocketIO,
python-engineio and simple-websocket cost; between Pano's and them, what Pano's own work
for a change costs (building, storing and recording each screen's timeline)."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import procs
from bench.runner import EVERY, PY, ROUND_TIMEOUT, BaselineSystem


class StackSystem(BaselineSystem):
    """The baseline's payload, port and version; its own server, clients and changes."""

    name = "stack"

    def launch(self) -> Any:
        proc = procs.start([PY, "-m", "bench.stack_server", "--port", str(self.port),
                            "--payload", str(self.workdir / "payload.json"),
                            "--version", str(self.version)],
                           log=self.workdir / "stack.log")
        procs.wait_for_port(self.port, 30, proc)
        return proc

    def swarm_args(self, workdir: Path, part: int, parts: int) -> list[str]:
        creds = [{"screen": f"bench-screen-{i:04d}", "token": "-", "index": i}
                 for i in range(part, self.size, parts)]
        file = workdir / f"creds-{part}.json"
        file.write_text(json.dumps(creds))
        return ["--kind", "pano", "--url", f"http://127.0.0.1:{self.port}", "--creds", str(file)]

    def change(self, scope: str = "all") -> float:
        query = "" if scope == "all" else f"?every={EVERY}"
        t0 = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{self.port}/change{query}", method="POST"),
                timeout=ROUND_TIMEOUT) as answer:
            self.version = int(json.loads(answer.read())["version"])
        return t0
