"""``pano-controller``: the controller's command line.

Every failure is one line on stderr and a non-zero exit status, never a traceback:
1 for errors, 2 for refused input files and usage errors, 130 when interrupted."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from controller.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

# Nothing heavy (SQLAlchemy, Flask) is imported at the top: in gevent mode `serve` and
# `run` must monkey-patch the process before those load (see main()).

PROG = "pano-controller"
DEFAULT_SITES = Path("config") / "sites.yaml"
DEFAULT_PLAYLISTS = Path("playlists")
DEFAULT_SCHEDULES = Path("config") / "schedules.yaml"  # imported by default if present
EXIT_ERROR, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 130


class CliError(Exception):
    """A failure to report as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # only for display
        return "<database>"


def _sessions(settings: Settings) -> sessionmaker[Session]:
    """Upgrade the schema, then return a session factory."""
    from controller.db import make_engine, make_session_factory, upgrade

    upgrade(settings.db_url)
    return make_session_factory(make_engine(settings.db_url))


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from controller.db import upgrade

    upgrade(settings.db_url)
    print(f"Database {_safe_url(settings.db_url)} is up to date.")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from controller.content.playlists_import import import_playlists
    from controller.content.schedules_import import import_schedules
    from controller.content.sites_import import import_sites
    from controller.content.yamlfile import YamlError
    from controller.media.store import MediaStore

    sites, playlists, schedules = args.sites, args.playlists, args.schedules
    if sites is None and playlists is None and schedules is None:
        sites, playlists = DEFAULT_SITES, DEFAULT_PLAYLISTS
        schedules = DEFAULT_SCHEDULES if DEFAULT_SCHEDULES.is_file() else None
    factory = _sessions(settings)
    with factory() as session:
        try:
            reports = []
            if sites is not None:
                reports.append(import_sites(session, Path(sites), settings.language_config))
            if playlists is not None:
                store = MediaStore(settings.media_dir)
                reports.append(import_playlists(session, Path(playlists), store,
                                                Path(settings.media_source_dir),
                                                settings.language_config))
            if schedules is not None:
                # After sites and playlists: the schedules refer to them. One bump per
                # transaction is enough.
                bumped = any(report.changed for report in reports)
                reports.append(import_schedules(session, Path(schedules), bump=not bumped))
        except YamlError as exc:
            session.rollback()
            raise CliError(f"refused, nothing imported: {exc}", EXIT_INPUT) from None
        session.commit()
    for report in reports:
        print(report.summary())
    return 0


def _read_password_stdin() -> str:
    line = sys.stdin.readline()
    if not line:
        raise CliError("--password-stdin: nothing on standard input")
    return line.rstrip("\r\n")


def cmd_users_add(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.users import add_user

    password = _read_password_stdin() if args.password_stdin else None
    factory = _sessions(settings)
    with factory() as session:
        user, generated = add_user(session, args.username, args.role, password)
        session.commit()
        print(f"User {user.username!r} created with role {user.role}.")
    if generated:
        print(f"Generated password (shown only once, store it now): {generated}")
    return 0


def cmd_users_token(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.tokens import issue_user_token

    factory = _sessions(settings)
    with factory() as session:
        token = issue_user_token(session, args.username)
        session.commit()
    print(f"New personal API token for {args.username!r} (shown only once; send it as "
          "'Authorization: Bearer <token>'):", file=sys.stderr)
    print(token)
    return 0


def cmd_screens_token(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.tokens import issue_screen_token
    from controller.models import Screen

    factory = _sessions(settings)
    with factory() as session:
        screen = session.get(Screen, args.screen_id)
        had_one = screen is not None and screen.credential_hash is not None
        token = issue_screen_token(session, args.screen_id)
        session.commit()
    revoked = " The previous credential is revoked now." if had_one else ""
    print(f"New credential for screen {args.screen_id!r} (shown only once; put it in the "
          f"player's config as 'token').{revoked}", file=sys.stderr)
    print(token)
    return 0


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
    factory = _sessions(settings)
    with factory() as session:
        user_id = _sender_id(session, args.by) if args.by else None
        try:
            emergency = store.create(session, parse_request(data), user_id)
        except EmergencyRefused as exc:
            session.rollback()
            raise CliError(f"refused, nothing sent: {exc}", EXIT_INPUT) from None
        session.commit()
        print(f"Emergency sent until {emergency.ends_at:%Y-%m-%d %H:%M:%S} UTC; its id "
              "(for 'emergency cancel' and GET /api/v1/emergencies/<id>):", file=sys.stderr)
        print(emergency.id)
    return 0


def _sender_id(session: Session, username: str) -> int:
    from sqlalchemy import select

    from controller.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled:
        raise CliError(f"--by: no active user {username!r}", EXIT_INPUT)
    if user.role not in ("emergency", "admin"):
        raise CliError(f"--by: user {username!r} has role {user.role}; sending an emergency "
                       "needs role emergency or admin", EXIT_INPUT)
    return user.id


def cmd_emergency_cancel(settings: Settings, args: argparse.Namespace) -> int:
    from controller.emergencies import store
    from controller.emergencies.request import EmergencyRefused
    from controller.models import Emergency

    factory = _sessions(settings)
    with factory() as session:
        emergency = session.get(Emergency, args.id)
        if emergency is None:
            raise CliError(f"no emergency {args.id}", EXIT_INPUT)
        try:
            store.cancel(session, emergency)
        except EmergencyRefused as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        session.commit()
    print(f"Emergency {args.id} cancelled.")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from controller.server import serve  # upgrades the database itself

    serve(settings)
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from controller.demo import run_demo

    result = run_demo(settings, args)
    return result if isinstance(result, int) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Pano signage controller.")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="settings file (default: config/controller.yaml if present)")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="where the database and media store live (default: var)")
    parser.add_argument("--port", type=int, metavar="N", help="HTTP port (default: 8080)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="create or upgrade the schema").set_defaults(
        handler=cmd_db_upgrade)

    imp = sub.add_parser("import", help="import sites/screens, playlists and schedules from "
                         "YAML (without options: config/sites.yaml, playlists/ and "
                         "config/schedules.yaml if present)")
    imp.add_argument("--sites", type=Path, metavar="FILE", help="sites and screens file")
    imp.add_argument("--playlists", type=Path, metavar="PATH",
                     help="a playlist file or a directory of them")
    imp.add_argument("--schedules", type=Path, metavar="FILE",
                     help="schedules file (which playlist plays where and when)")
    imp.set_defaults(handler=cmd_import)

    from controller.auth.users import ROLES

    users = sub.add_parser("users", help="operator accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users_sub.add_parser("add", help="create a user (prints a generated password)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="viewer", help="default: viewer")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(handler=cmd_users_add)
    tok = users_sub.add_parser("token", help="issue a personal API token")
    tok.add_argument("username")
    tok.set_defaults(handler=cmd_users_token)

    screens = sub.add_parser("screens", help="screens")
    screens_sub = screens.add_subparsers(dest="screens_command", metavar="ACTION",
                                         required=True)
    stok = screens_sub.add_parser("token", help="issue a new screen credential "
                                  "(revokes the old one)")
    stok.add_argument("screen_id")
    stok.set_defaults(handler=cmd_screens_token)

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
                      help="the operator sending it (role emergency or admin), for the audit")
    send.set_defaults(handler=cmd_emergency_send)
    ecancel = em_sub.add_parser("cancel", help="end an emergency now")
    ecancel.add_argument("id", type=int)
    ecancel.set_defaults(handler=cmd_emergency_cancel)

    sub.add_parser("serve", help="run the controller server").set_defaults(handler=cmd_serve)

    run = sub.add_parser("run", help="run the demo: controller plus a local player")
    run.add_argument("--no-player", action="store_true", help="do not start a local player")
    run.add_argument("--player-screen", default="phu-bai-arrivals", metavar="ID",
                     help="screen the local player plays (default: phu-bai-arrivals)")
    run.set_defaults(handler=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    try:
        settings = load_settings(args.config, data_dir=args.data_dir, port=args.port)
    except SettingsError as exc:
        _error(f"settings: {exc}")
        return EXIT_ERROR
    if handler in (cmd_serve, cmd_run) and settings.async_mode == "gevent":
        from controller.server import patch_for_gevent

        patch_for_gevent()  # before SQLAlchemy, Flask or any socket is imported
    return _dispatch(handler, settings, args)


def _dispatch(handler: Callable[[Settings, argparse.Namespace], int], settings: Settings,
              args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return handler(settings, args)
    except CliError as exc:
        _error(str(exc))
        return exc.status
    except SettingsError as exc:
        _error(f"settings: {exc}")
        return EXIT_ERROR
    except (LookupError, ValueError) as exc:
        _error(str(exc))
        return EXIT_ERROR
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        _error(f"database: {detail}")
        return EXIT_ERROR
    except OSError as exc:
        _error(f"{exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}")
        return EXIT_ERROR
    except ImportError as exc:
        _error(f"missing component: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the promise is: never a traceback (PANO_DEBUG=1 shows it)
        if os.environ.get("PANO_DEBUG"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc}")
        return EXIT_ERROR


def _error(message: str) -> None:
    first = message.splitlines()[0] if message else "failed"
    print(f"{PROG}: error: {first}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
