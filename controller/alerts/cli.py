"""``pano-controller alerts test [--channel NAME]``: send one test message on every
channel of config/alerts.yaml (or on one), now, and say what each did;
``pano-controller alerts check [FILE]``: read the file as the controller would."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from controller.cli_base import EXIT_ERROR, EXIT_INPUT, CliError, sessions

if TYPE_CHECKING:
    from controller.settings import Settings


def _config(path: Path):  # noqa: ANN202 - AlertsConfig, imported late
    from controller.alerts.rules import AlertsConfigError, load

    try:
        return load(path)
    except AlertsConfigError as exc:
        raise CliError(f"refused: {exc}", EXIT_INPUT) from None


def cmd_alerts_check(settings: Settings, args: argparse.Namespace) -> int:
    path = args.file or Path(settings.alerts_config)
    if not path.exists():
        print(f"{path}: not found; the defaults apply and nothing is sent (no channels).")
        return 0
    config = _config(path)
    enabled = [r.name for r in config.rules.values() if r.enabled]
    print(f"{path}: {len(enabled)} rule(s) on, {len(config.channels)} channel(s) "
          f"({', '.join(config.channels) or 'none'}), {len(config.routes)} route(s).")
    return 0


def cmd_alerts_test(settings: Settings, args: argparse.Namespace) -> int:
    from controller.alerts import outbox
    from controller.alerts.engine import now, worker_name
    from controller.alerts.messages import Place, compose
    from controller.models import AlertNotification

    path = Path(settings.alerts_config)
    config = _config(path)
    if not config.channels:
        raise CliError(f"{path}: no channels to test (channels: is empty or the file is "
                       "missing)", EXIT_INPUT)
    names = list(config.channels)
    if args.channel is not None:
        if args.channel not in config.channels:
            raise CliError(f"--channel: no channel {args.channel!r} in {path} (there: "
                           f"{', '.join(names)})", EXIT_INPUT)
        names = [args.channel]
    place = Place("-", "(tin thử)", "(test)", "-", "Pano", "Pano", "Asia/Ho_Chi_Minh")
    subject, body, payload = compose("test", "test", "info", place, now(), {},
                                     config.runbook_url)
    factory = sessions(settings)
    failed = 0
    with factory() as session:
        rows = outbox.enqueue(session, names, "test", subject, body, payload, None, now())
        session.commit()
        ids = [row.id for row in rows]
    for row_id in ids:
        with factory() as session:
            if not outbox.claim(session, row_id, worker_name(), config, now()):
                continue  # a running controller took it: it sends it
            row = session.get(AlertNotification, row_id)
            assert row is not None
            if outbox.deliver(session, row, config, now):
                print(f"{row.channel}: test message sent.")
                continue
            failed += 1
            row.state = "failed"  # a test is not retried later
            session.commit()
            print(f"{row.channel}: NOT sent: {row.last_error}", file=sys.stderr)
    if failed:
        raise CliError(f"{failed} of {len(ids)} test message(s) not sent", EXIT_ERROR)
    return 0


def add_alerts_parser(sub: argparse._SubParsersAction) -> None:
    alerts = sub.add_parser("alerts", help="alert rules and channels (docs/alerts.md)")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION",
                                       required=True)
    test = alerts_sub.add_parser("test", help="send a test alert on every channel, or one")
    test.add_argument("--channel", metavar="NAME", help="only this channel")
    test.set_defaults(handler=cmd_alerts_test)
    check = alerts_sub.add_parser("check", help="check an alerts file (default: the "
                                  "alerts_config setting, config/alerts.yaml)")
    check.add_argument("file", nargs="?", type=Path, metavar="FILE")
    check.set_defaults(handler=cmd_alerts_check)
