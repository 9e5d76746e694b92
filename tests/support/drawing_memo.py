"""Each distinct slide, picture frame, QR badge, ticker strip and image rendition drawn once
per test run.

Why: every test database starts without drawings, so each test that starts a controller
in the test process drew the demo's slides, frames and renditions again. Measured on a
quarter of a run (tests/support/drawing_memo.py was not there yet): 2368 drawings, 156 s
of CPU, of which 120 s redrew an input some test had drawn already.

Why it is safe: the product's own cache (controller/slides/cache.py) already keys a
drawing by the hash of everything that goes into it (the spec, the renderer's version,
Pillow's and the fonts' digests), and a rendition is a pure function of the file's bytes
and the box (controller/media/renditions.py). Within one run the code is the same, so a
drawing an earlier test made for the same key is, byte for byte, what this test would
draw. What depends on the media store is still asked of it first: a slide whose photo or
a frame whose picture is missing still fails as it does for real, and failures are never
remembered.

What it changes: a remembered drawing does not count in ``render_count``. Tests that
count drawings say so with ``@pytest.mark.real_drawing`` (tests/conftest.py turns the
memo off for them). The test processes and the serving controllers the tests start use
it (child_site/sitecustomize.py); the other commands (an import, the job worker) draw
for real.

The drawings are files in a folder of the run (``PANO_TEST_DRAWINGS``, made by the first
process, shared with the xdist workers it starts, removed at the end of the run, or by
the next run when this one was killed), written
under a temporary name and renamed, so two workers drawing the same key at once both
end up with the same complete file."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV = "PANO_TEST_DRAWINGS"
PREFIX = "pano-test-drawings-"
_state: dict[str, Any] = {"folder": None, "on": True, "owner": False}


def start() -> None:
    """Use the run's folder (making it in the first process) and wrap the drawing
    functions of this process."""
    folder = os.environ.get(ENV)
    if not folder:
        _remove_abandoned()
        folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        os.environ[ENV] = folder  # the xdist workers started after this inherit it
        _state["owner"] = True
    _state["folder"] = Path(folder)
    _wrap()


def _remove_abandoned() -> None:
    """Folders of runs that were killed before their end (their first process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def finish() -> None:
    """Remove the folder (in the process that made it)."""
    folder = _state["folder"]
    if _state["owner"] and folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def enabled(on: bool) -> None:
    """Turn the memo on or off for the tests that follow (``real_drawing``)."""
    _state["on"] = on


def _remembered(kind: str, key: str, draw: Callable[[], Any]) -> Any:
    folder = _state["folder"]
    if not _state["on"] or folder is None:
        return draw()
    path = folder / f"{kind}-{key}"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    made = draw()
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(pickle.dumps(made))
    os.replace(partial, path)
    return made


def _wrap() -> None:
    import hashlib

    from controller.media import renditions
    from controller.slides import badge, cache
    from controller.zones import on_screen, ticker

    if getattr(cache.png_bytes, "remembered", False):
        return
    png_bytes, frame_bytes = cache.png_bytes, cache.frame_bytes
    badge_png, render_file = badge.png_bytes, renditions._render
    strip_png = on_screen.png_bytes  # the ticker's strip, imported there by name

    def slide(spec: Any, store: Any = None) -> bytes:
        if spec.photo is not None and (store is None or not store.exists(spec.photo.media)):
            return png_bytes(spec, store)  # fails as it does for real
        return _remembered("slide", cache.input_hash(spec), lambda: png_bytes(spec, store))

    def frame(spec: Any, store: Any) -> bytes:
        if not spec.overlay and (store is None or not store.exists(spec.photo)):
            return frame_bytes(spec, store)
        return _remembered("frame", cache.input_hash(spec), lambda: frame_bytes(spec, store))

    def qr_badge(spec: Any) -> bytes:
        return _remembered("badge", badge.input_hash(spec), lambda: badge_png(spec))

    def strip(spec: Any) -> tuple[bytes, int]:
        return _remembered("strip", ticker.input_hash(spec), lambda: strip_png(spec))

    def rendition(src: Path, box: tuple[int, int]) -> Any:
        try:
            digest = hashlib.sha256(Path(src).read_bytes()).hexdigest()
        except OSError:
            return render_file(src, box)
        return _remembered("rendition", f"{digest}-{box[0]}x{box[1]}",
                           lambda: render_file(src, box))

    for wrapper in (slide, frame, qr_badge, strip, rendition):
        wrapper.remembered = True  # type: ignore[attr-defined]
    cache.png_bytes, cache.frame_bytes = slide, frame
    badge.png_bytes, renditions._render = qr_badge, rendition
    on_screen.png_bytes = strip
