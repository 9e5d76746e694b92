"""Timelines: what each screen plays over the next days (builder), and getting them to
the players (publisher, change watcher, daily roll-over)."""
