"""Who does something: a user of the API or panel, or the system itself (imports run by
the server operator, the scheduler)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from controller.models import Agency, User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    role: str | None = None
    agency_id: str | None = None
    lead_agency: bool = False
    scope_sites: tuple[str, ...] = field(default=())
    scope_themes: tuple[str, ...] = field(default=())

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @classmethod
    def of(cls, session: Session, user: User) -> Actor:
        lead = False
        if user.agency_id is not None:
            agency = session.get(Agency, user.agency_id)
            lead = bool(agency and agency.lead)
        return cls(user.id, user.username, user.role, user.agency_id, lead,
                   tuple(user.scope_sites or ()), tuple(user.scope_themes or ()))

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what)

    @classmethod
    def command_line(cls) -> Actor:
        """The server operator at a shell: named after the operating-system account."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(None, f"cli:{who}"[:100])
