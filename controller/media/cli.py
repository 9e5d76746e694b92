"""``pano-controller media sweep [--dry-run]``: remove what crashes left behind
(abandoned work folders, media files no row names, the store's temporary files) and
print each removal, or with ``--dry-run`` what would go. Safe while controllers run:
the rules are ``controller/housekeeping``'s, the same as at start."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from controller.cli_base import CliError, sessions

if TYPE_CHECKING:
    from controller.settings import Settings


def cmd_media_sweep(settings: Settings, args: argparse.Namespace) -> int:
    from controller.housekeeping.sweep import sweep

    report = sweep(settings, sessions(settings), dry_run=args.dry_run,
                   grace_hours=args.grace_hours)
    for line in report.lines():
        print(line)
    summary = report.summary()
    print(summary[:1].upper() + summary[1:] + ".")
    if report.refused:
        raise CliError(f"media not swept: {report.refused}")
    return 0


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 8760:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours from 0 to 8760")
    return value


def add_media_parser(sub: Any) -> None:
    media = sub.add_parser("media", help="the media store")
    media_sub = media.add_subparsers(dest="media_command", metavar="ACTION", required=True)
    sweep = media_sub.add_parser(
        "sweep", help="remove abandoned work folders, media files no row names and "
        "temporary files, once older than the grace period (docs/operations.md)")
    sweep.add_argument("--dry-run", action="store_true",
                       help="print what would be removed, remove nothing")
    sweep.add_argument("--grace-hours", type=_hours, metavar="H",
                       help="spare anything changed in the last H hours (default: the "
                       "setting sweep_grace_hours, 24)")
    sweep.set_defaults(handler=cmd_media_sweep)
