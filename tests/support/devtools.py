"""A real Chromium for end-to-end tests: where it is, skipping (or, under CI=true,
failing) where it is missing, and its page target driven over the DevTools protocol (as
the player drives it for screenshots)."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest
import requests
import websocket

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else (
    shutil.which("chromium") or shutil.which("chromium-browser"))


def need(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


class DevTools:
    """The page target of a Chromium, over the DevTools protocol (as the player uses it)."""

    def __init__(self, port: int, page_url: str) -> None:
        self.base, self.page_url = f"http://127.0.0.1:{port}", page_url

    def evaluate(self, expression: str) -> Any:
        targets = requests.get(self.base + "/json", timeout=5).json()
        page = next(t for t in targets if t.get("type") == "page"
                    and t.get("url", "").startswith(self.page_url))
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=10,
                                         suppress_origin=True)
        try:
            ws.send(json.dumps({"id": 1, "method": "Runtime.evaluate",
                                "params": {"expression": expression,
                                           "returnByValue": True}}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == 1:
                    return message["result"]["result"].get("value")
        finally:
            ws.close()
