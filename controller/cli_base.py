"""What every ``pano-controller`` command shares: a one-line error with its exit status,
and a database session (schema upgraded first). Kept apart from ``controller.cli`` so
that command modules elsewhere (``controller.emergencies.cli``) can use them: under
``python -m controller.cli`` that module runs as ``__main__``, and importing it again
would make a second, different ``CliError`` class that ``main`` would not catch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from controller.settings import Settings

EXIT_ERROR, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 130


class CliError(Exception):
    """A failure to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


def sessions(settings: Settings) -> sessionmaker[Session]:
    """Upgrade the schema, then return a session factory (SQLAlchemy imported here, late:
    gevent must patch before it loads)."""
    from controller.db import make_engine, make_session_factory, upgrade

    upgrade(settings.db_url)
    return make_session_factory(make_engine(settings.db_url))
