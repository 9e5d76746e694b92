"""``pano-controller emergency send|cancel``: urgent messages from the command line, for
when the web panel is not at hand. The API (``controller/api/emergencies.py``) does the
same with the same validation (``controller.emergencies.request``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from controller.cli_base import EXIT_INPUT, CliError, sessions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from controller.review.actor import Actor
    from controller.settings import Settings


EMERGENCY_LANGUAGES = ("vi", "en", "lo")


def cmd_emergency_send(settings: Settings, args: argparse.Namespace) -> int:
    from controller.emergencies import store
    from controller.emergencies.request import EmergencyRefused, parse_request

    messages = {lang: {"title": getattr(args, f"title_{lang}"),
                       "body": getattr(args, f"body_{lang}") or ""}
                for lang in EMERGENCY_LANGUAGES
                if getattr(args, f"title_{lang}") or getattr(args, f"body_{lang}")}
    data = {"messages": messages, "targets": {"sites": args.site, "screens": args.screen},
            "duration_minutes": args.minutes, "ends_at": args.until, "url": args.url}
    factory = sessions(settings)
    with factory() as session:
        actor = _sender(session, args.by)
        try:
            emergency = store.create(session, parse_request(data), actor)
        except EmergencyRefused as exc:
            session.rollback()
            raise CliError(f"refused, nothing sent: {exc}", EXIT_INPUT) from None
        session.commit()
        print(f"Emergency sent until {emergency.ends_at:%Y-%m-%d %H:%M:%S} UTC; its id "
              "(for 'emergency cancel' and GET /api/v1/emergencies/<id>):", file=sys.stderr)
        print(emergency.id)
    return 0


def _sender(session: Session, username: str | None) -> Actor:
    """The user named by ``--by``, else the operating-system account (in the audit log
    as ``cli:<account>``)."""
    from sqlalchemy import select

    from controller.models import User
    from controller.review.actor import Actor

    if not username:
        return Actor.command_line()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled:
        raise CliError(f"--by: no active user {username!r}", EXIT_INPUT)
    if user.role not in ("emergency", "admin"):
        raise CliError(f"--by: user {username!r} has role {user.role}; sending an emergency "
                       "needs role emergency or admin", EXIT_INPUT)
    return Actor.of(session, user)


def cmd_emergency_cancel(settings: Settings, args: argparse.Namespace) -> int:
    from controller.emergencies import store
    from controller.emergencies.request import EmergencyRefused
    from controller.models import Emergency

    factory = sessions(settings)
    with factory() as session:
        emergency = session.get(Emergency, args.id)
        if emergency is None:
            raise CliError(f"no emergency {args.id}", EXIT_INPUT)
        try:
            store.cancel(session, emergency, _sender(session, args.by))
        except EmergencyRefused as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        session.commit()
    print(f"Emergency {args.id} cancelled.")
    return 0



def add_emergency_parser(sub: Any) -> None:
    emergency = sub.add_parser("emergency", help="urgent messages that preempt everything")
    em_sub = emergency.add_subparsers(dest="emergency_command", metavar="ACTION",
                                      required=True)
    send = em_sub.add_parser("send", help="send an emergency now (prints its id)")
    send.add_argument("--site", action="append", default=[], metavar="ID",
                      help="target site (repeatable)")
    send.add_argument("--screen", action="append", default=[], metavar="ID",
                      help="target screen (repeatable)")
    for lang in EMERGENCY_LANGUAGES:
        need = " (required)" if lang in ("vi", "en") else ""
        send.add_argument(f"--title-{lang}", metavar="TEXT", help=f"title in {lang}{need}")
        send.add_argument(f"--body-{lang}", metavar="TEXT", help=f"body in {lang}")
    end = send.add_mutually_exclusive_group(required=True)
    end.add_argument("--minutes", type=float, metavar="N", help="how long it lasts")
    end.add_argument("--until", metavar="TIME", help="when it ends (ISO 8601 with zone)")
    send.add_argument("--url", help="a link shown with the message (http or https)")
    send.add_argument("--by", metavar="USERNAME",
                      help="the operator sending it (role emergency or admin), for the audit "
                      "log (default: the system account running the command, as cli:NAME)")
    send.set_defaults(handler=cmd_emergency_send)
    ecancel = em_sub.add_parser("cancel", help="end an emergency now")
    ecancel.add_argument("id", type=int)
    ecancel.add_argument("--by", metavar="USERNAME",
                         help="the operator cancelling it, for the audit log")
    ecancel.set_defaults(handler=cmd_emergency_cancel)
