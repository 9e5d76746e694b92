"""Scheduling engine: which playlist a screen plays when (docs/scheduling.md).

Pure, no database: ``rules`` holds the schedules and the direct evaluation at an
instant, ``segments`` turns them into a timeline's segments for a window.
"""

from controller.scheduling.rules import (
    ALL_DAY,
    ALL_WEEKDAYS,
    DEFAULT_TIMEZONE,
    Candidate,
    Decision,
    Schedule,
    ScreenRef,
    Targets,
    Window,
    decide,
    evaluate,
)
from controller.scheduling.segments import build_segments, decisions

__all__ = [
    "ALL_DAY",
    "ALL_WEEKDAYS",
    "DEFAULT_TIMEZONE",
    "Candidate",
    "Decision",
    "Schedule",
    "ScreenRef",
    "Targets",
    "Window",
    "build_segments",
    "decide",
    "decisions",
    "evaluate",
]
