"""Pano controller: schedules bilingual playlists and pushes timelines to players."""

__version__ = "0.1.0"
