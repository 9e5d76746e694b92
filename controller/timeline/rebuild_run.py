"""One rebuild's shared state (``controller.timeline.publisher``): what its batches
share — the parts and bodies built once for many screens, their encodings — and what
they stored. It lives for one rebuild: what it shares is valid only for the inputs of
one load (``forget_parts`` when they are loaded anew)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from controller.timeline.dependencies import Deps, DepsMaker
from controller.timeline.hashing import Hasher
from controller.timeline.shared_parts import PartsMemo


@dataclass
class RebuildRun:
    """One rebuild's shared state: what its batches share and what they stored."""

    now: datetime
    generated_at: str
    stored: dict[str, tuple[int, str]]  # screen -> (version, hash) read before storing
    make: DepsMaker
    memo: PartsMemo = field(default_factory=dict)
    bodies: dict[Hashable, dict[str, Any]] = field(default_factory=dict)  # screens alike
    hasher: Hasher = field(default_factory=Hasher)
    short: set[int] = field(default_factory=set)  # ids of playlist parts that missed a file
    changed: list[str] = field(default_factory=list)  # screens stored (not their rows:
    # a batch's bodies are freed once it is pushed, not at the end of a large rebuild)
    entries: dict[str, Deps] = field(default_factory=dict)
    first: set[str] = field(default_factory=set)  # screens with a socket: built first
    log_id: int | None = None  # the change log's newest entry at the last load

    def forget_parts(self, slugs: dict[int, str]) -> None:
        """Build what screens share again (the inputs were loaded anew)."""
        self.memo, self.bodies, self.short = {}, {}, set()
        self.make = DepsMaker(slugs)
