"""Content: reading operator-written YAML (sites, screens, playlists) into the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportReport:
    """What an import did. ``kept`` names rows that exist in the database but not in the
    file: they are kept, never deleted silently."""

    source: str
    what: str = "records"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.what}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        ]
        lines += [f"  {note}" for note in self.notes]
        lines += [f"  not in file, kept: {name}" for name in self.kept]
        return "\n".join(lines)


def apply_values(obj: Any, values: dict[str, Any]) -> bool:
    """Set each attribute that differs; touch ``updated_at`` if any did. Returns whether
    anything changed."""
    from controller.models import utcnow

    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.updated_at = utcnow()
    return changed
