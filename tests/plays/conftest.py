"""The web layer's fixtures (a real controller on a free port over a seeded SQLite file,
real python-socketio players), for the journal's transport tests."""

from web.conftest import fleet, players, server  # noqa: F401  (fixtures)
