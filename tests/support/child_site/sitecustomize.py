"""Run by every Python process a test starts (tests/support/schema_template.py puts this
folder on their PYTHONPATH).

1. Controllers and commands start new SQLite files from the test run's migrated template
   (pano_schema_copy.py says why).
2. The product's own processes (controller, player, job worker) do not see aiohttp. It is
   installed for the benchmark's asyncio clients only (pyproject's dev extra); a
   controller or player install has no aiohttp, but python-engineio imports it whenever
   it is there: about 0.15 s of CPU in each of the few hundred processes a run starts,
   for a module the product never uses. Hiding it makes these processes import what a
   production install would (tests/player/test_process_imports.py checks it).
3. A serving controller draws each distinct slide, frame, badge, ticker strip and
   rendition once per run, as the test processes do (tests/support/drawing_memo.py,
   the run's folder in PANO_TEST_DRAWINGS): a controller a test starts drew its
   timelines' slides at its first rebuild, about 12 % of its CPU (py-spy over a run),
   most of them drawn by an earlier test already. Hooked on ``controller.server``, which
   only ``serve`` (and ``run``) import: the other commands load no drawing code for it."""

import os
import sys
from pathlib import Path

if os.environ.get("PANO_TEST_SCHEMA_TEMPLATE"):
    import pano_schema_copy

    pano_schema_copy.wrap_when_imported(Path(os.environ["PANO_TEST_SCHEMA_TEMPLATE"]))

PRODUCT_MODULES = ("controller.cli", "player.cli", "controller.jobs.worker")
PRODUCT_SCRIPTS = ("pano-controller", "pano-player")


class _AsInstalled:
    """Refuses aiohttp, as a production install (which has none) would."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "aiohttp" or name.startswith("aiohttp."):
            raise ModuleNotFoundError(f"No module named {name!r} (not in a production "
                                      "install; hidden by the tests' sitecustomize)",
                                      name=name)


def _is_product(argv: list[str]) -> bool:
    """Whether the command line runs one of the product's modules or scripts."""
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-X", "-W"):  # interpreter options with a value
            next(args, None)
        elif arg == "-m":
            return next(args, "") in PRODUCT_MODULES
        elif not arg.startswith("-"):  # a script
            return arg.endswith(PRODUCT_SCRIPTS)
        elif arg == "-c":
            return False
    return False


def _start_drawing_memo(_server: object) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "drawing_memo.py"
    spec = importlib.util.spec_from_file_location("pano_test_drawing_memo", path)
    assert spec is not None and spec.loader is not None
    memo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(memo)
    memo.start()


if _is_product(getattr(sys, "orig_argv", [])):
    sys.meta_path.insert(0, _AsInstalled())
    if os.environ.get("PANO_TEST_DRAWINGS"):
        from after_import import when_imported

        when_imported("controller.server", _start_drawing_memo)
