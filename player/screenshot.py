"""Capturing what the screen shows, for the ``screenshot`` command (docs/protocol.md):

- ``devtools_url`` (Chromium started with ``--remote-debugging-port=9222``): the Chrome
  DevTools Protocol's ``Page.captureScreenshot`` on the kiosk page's target, found at
  ``<devtools_url>/json``, over a WebSocket (``websocket-client``);
- else ``screenshot_command``: a shell command writing a PNG (or JPEG) to standard
  output, e.g. ``grim -`` on a Wayland compositor;
- else nothing: ``NoMethod``.

Every step is bounded in time; every failure is a ``CaptureError`` with a short reason.
The upload is ``PUT /api/v1/player/screenshot?command=<id>`` with the screen credential.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import struct
import subprocess
import time

import requests
import websocket

MAX_BYTES = 8 * 1024 * 1024  # the controller refuses more
COMMAND_TIMEOUT = 20.0  # seconds for screenshot_command
DEVTOOLS_TIMEOUT = 15.0  # seconds for the whole DevTools exchange
UPLOAD_TIMEOUT = (10, 60)  # connect, read
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class CaptureError(Exception):
    """The screen could not be captured or uploaded; ``str()`` says why, briefly."""


class NoMethod(CaptureError):
    """Neither ``devtools_url`` nor ``screenshot_command`` is configured."""


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG from its header; None for anything else."""
    if data.startswith(PNG_MAGIC) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


def mime_of(data: bytes) -> str:
    if data.startswith(PNG_MAGIC):
        return "image/png"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    raise CaptureError("the capture is neither PNG nor JPEG")


def _checked(data: bytes, source: str) -> bytes:
    if not data:
        raise CaptureError(f"{source} gave no image")
    if len(data) > MAX_BYTES:
        raise CaptureError(f"{source} gave {len(data)} bytes; the limit is {MAX_BYTES}")
    mime_of(data)
    return data


def capture_devtools(devtools_url: str, page_url: str | None = None,
                     timeout: float = DEVTOOLS_TIMEOUT) -> bytes:
    """A PNG of the page (the one whose URL starts with ``page_url`` if there is one)."""
    deadline = time.monotonic() + timeout
    try:
        response = requests.get(devtools_url.rstrip("/") + "/json", timeout=min(5.0, timeout))
        response.raise_for_status()
        targets = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise CaptureError(f"Chromium DevTools at {devtools_url} does not answer: "
                           f"{str(exc)[:160]}") from None
    pages = [t for t in targets if isinstance(t, dict) and t.get("type") == "page"
             and t.get("webSocketDebuggerUrl")] if isinstance(targets, list) else []
    if page_url:
        pages.sort(key=lambda t: not str(t.get("url", "")).startswith(page_url))
    if not pages:
        raise CaptureError(f"Chromium DevTools at {devtools_url} lists no page")
    try:
        # No Origin header: Chromium refuses DevTools WebSockets from other origins.
        ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                         timeout=max(1.0, deadline - time.monotonic()),
                                         suppress_origin=True)
    except (OSError, websocket.WebSocketException) as exc:
        raise CaptureError(f"cannot open the DevTools WebSocket: {str(exc)[:160]}") from None
    try:
        ws.send(json.dumps({"id": 1, "method": "Page.captureScreenshot",
                            "params": {"format": "png"}}))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CaptureError("Chromium did not send the screenshot in time")
            ws.settimeout(left)
            message = json.loads(ws.recv())
            if isinstance(message, dict) and message.get("id") == 1:
                break
    except (OSError, ValueError, websocket.WebSocketException) as exc:
        raise CaptureError(f"DevTools exchange failed: {str(exc)[:160]}") from None
    finally:
        ws.close()
    if "error" in message:
        raise CaptureError(f"Chromium refused the screenshot: {str(message['error'])[:160]}")
    try:
        data = base64.b64decode(message["result"]["data"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise CaptureError("Chromium's answer holds no image") from None
    return _checked(data, "Chromium")


def capture_command(command: str, timeout: float = COMMAND_TIMEOUT) -> bytes:
    """Run ``command`` with the shell; its standard output is the image."""
    try:
        proc = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError as exc:
        raise CaptureError(f"cannot run screenshot_command: {exc}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise CaptureError(f"screenshot_command did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        reason = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise CaptureError(f"screenshot_command failed (exit {proc.returncode}): "
                           f"{reason[0][:160]}")
    return _checked(out, "screenshot_command")


def capture(devtools_url: str | None, command: str | None,
            page_url: str | None = None) -> tuple[bytes, str]:
    """(image, method): DevTools when configured, else the command, else NoMethod."""
    if devtools_url:
        return capture_devtools(devtools_url, page_url), "devtools"
    if command:
        return capture_command(command), "command"
    raise NoMethod("no screenshot method configured: set devtools_url (Chromium with "
                   "--remote-debugging-port) or screenshot_command in the player config")


def upload(session: requests.Session, controller: str, token: str, command_id: str | None,
           data: bytes, periodic: dict | None = None) -> dict:
    """PUT the image to the controller; its JSON answer, or CaptureError. ``periodic``
    (no command): a periodic capture's query, ``{"item", "languages"}``
    (player/periodic_capture.py)."""
    params = {"periodic": "1", **periodic} if periodic is not None else {"command": command_id}
    try:
        response = session.put(f"{controller}/api/v1/player/screenshot",
                               params=params, data=data,
                               headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": mime_of(data)},
                               timeout=UPLOAD_TIMEOUT)
    except requests.RequestException as exc:
        raise CaptureError(f"upload failed: {str(exc)[:160]}") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict):
        reason = body.get("message") if isinstance(body, dict) else None
        raise CaptureError(f"the controller refused the upload ({response.status_code}): "
                           f"{str(reason or response.reason)[:200]}")
    return body
