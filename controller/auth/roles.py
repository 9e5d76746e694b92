"""The operators' roles (docs/security.md). A module of its own so that the command
line can offer them without importing the models (``pano-controller serve`` patches the
process for gevent only after its arguments are parsed)."""

ROLES = ("admin", "editor", "approver", "emergency", "technician", "viewer")
