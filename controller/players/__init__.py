"""Players: the Socket.IO namespace, screen credentials, heartbeats and presence."""
