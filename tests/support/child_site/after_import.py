"""Run something in a process the tests started once a given module of the product has
been imported, so that a process that never imports it (a player, a short command)
pays nothing: the hook behind pano_schema_copy.py and the drawing memo
(sitecustomize.py)."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any


class _AfterImport(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> Any:
        if name != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        load, then = spec.loader.exec_module, self.then

        def exec_module(module: ModuleType) -> None:
            load(module)
            then(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """Call ``then(module)`` right after module ``name`` is first imported here."""
    sys.meta_path.insert(0, _AfterImport(name, then))
