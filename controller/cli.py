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

from controller.alerts.cli import add_alerts_parser
from controller.auth.cli import add_users_parser
from controller.cli_base import EXIT_ERROR, EXIT_INPUT, EXIT_INTERRUPTED, CliError, sessions
from controller.emergencies.cli import add_emergency_parser
from controller.media.cli import add_media_parser
from controller.reports.cli import add_report_parser
from controller.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from controller.review.actor import Actor

# Nothing heavy (SQLAlchemy, Flask) is imported at the top: in gevent mode `serve` and
# `run` must monkey-patch the process before those load (see main()).

PROG = "pano-controller"
DEFAULT_AGENCIES = Path("config") / "agencies.yaml"  # imported by default if present
DEFAULT_SITES = Path("config") / "sites.yaml"
DEFAULT_PLAYLISTS = Path("playlists")
DEFAULT_SCHEDULES = Path("config") / "schedules.yaml"  # imported by default if present
DEFAULT_SOURCES = Path("config") / "sources.yaml"  # imported by default if present
DEFAULT_TEMPLATES = Path("config") / "data_templates.yaml"  # imported by default if present
DEFAULT_LAYOUTS = Path("config") / "layouts.yaml"  # imported by default if present
def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # only for display
        return "<database>"


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from controller.db import upgrade

    upgrade(settings.db_url)
    print(f"Database {_safe_url(settings.db_url)} is up to date.")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from controller.content.import_all import import_content
    from controller.content.yamlfile import YamlError
    from controller.review import ReviewError

    agencies, sites, playlists, schedules = (args.agencies, args.sites, args.playlists,
                                             args.schedules)
    data_sources = getattr(args, "sources", None)
    templates = getattr(args, "data_templates", None)
    layouts = getattr(args, "layouts", None)
    if agencies is None and sites is None and playlists is None and schedules is None \
            and data_sources is None and templates is None and layouts is None:
        sites, playlists = DEFAULT_SITES, DEFAULT_PLAYLISTS
        agencies = DEFAULT_AGENCIES if DEFAULT_AGENCIES.is_file() else None
        schedules = DEFAULT_SCHEDULES if DEFAULT_SCHEDULES.is_file() else None
        data_sources = DEFAULT_SOURCES if DEFAULT_SOURCES.is_file() else None
        templates = DEFAULT_TEMPLATES if DEFAULT_TEMPLATES.is_file() else None
        layouts = DEFAULT_LAYOUTS if DEFAULT_LAYOUTS.is_file() else None
    with sessions(settings)() as session:
        try:
            actor = _actor(session, getattr(args, "by", None))
            reports = import_content(session, settings, agencies=agencies, sites=sites,
                                     playlists=playlists, schedules=schedules,
                                     media_dir=getattr(args, "media_dir", None),
                                     approve=getattr(args, "approve", True), actor=actor,
                                     sources=data_sources, templates=templates,
                                     layouts=layouts)
        except (YamlError, ReviewError) as exc:
            session.rollback()
            raise CliError(f"refused, nothing imported: {exc}", EXIT_INPUT) from None
        session.commit()
    for report in reports:
        print(report.summary())
    return 0


def _actor(session: Session, username: str | None) -> Actor:
    """``--by USER`` acts as that user (with their role and agency); without it, the
    server operator's account (``cli:NAME`` in the audit log)."""
    from sqlalchemy import select

    from controller.models import User
    from controller.review.actor import Actor

    if not username:
        return Actor.command_line()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled:
        raise CliError(f"--by: no active user {username!r}", EXIT_INPUT)
    return Actor.of(session, user)


def cmd_playlists_import(settings: Settings, args: argparse.Namespace) -> int:
    args.agencies, args.sites, args.playlists, args.schedules = None, None, args.path, None
    return cmd_import(settings, args)


def cmd_playlists_export(settings: Settings, args: argparse.Namespace) -> int:
    from controller.content import playlists_export as export
    from controller.media.store import MediaStore

    store = MediaStore(settings.media_dir)
    with sessions(settings)() as session:
        try:
            text, media = export.export_playlist(session, store, args.id, args.version)
        except LookupError as exc:
            raise CliError(str(exc), EXIT_ERROR) from None
    if args.media_dir is not None:
        try:
            copied = export.copy_media(store, media, args.media_dir)
        except export.MediaConflict as exc:
            raise CliError(f"refused, nothing exported: {exc}", EXIT_INPUT) from None
        print(f"{len(media)} media files in {args.media_dir} ({copied} copied).",
              file=sys.stderr)
    if args.out is not None:
        export.write_atomic(args.out, text)
        print(f"Playlist {args.id!r} written to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    return 0


def cmd_screens_token(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.tokens import issue_screen_token
    from controller.models import Screen

    factory = sessions(settings)
    with factory() as session:
        screen = session.get(Screen, args.screen_id)
        had_one = screen is not None and screen.credential_hash is not None
        token = issue_screen_token(session, args.screen_id, _actor(session, None))
        session.commit()
    revoked = " The previous credential is revoked now." if had_one else ""
    print(f"New credential for screen {args.screen_id!r} (shown only once; put it in the "
          f"player's config as 'token').{revoked}", file=sys.stderr)
    print(token)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from controller.server import serve  # upgrades the database itself

    serve(settings)
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from controller.db import upgrade
    from controller.jobs.worker import run_worker
    from controller.logging_config import configure_logging

    upgrade(settings.db_url)
    configure_logging()
    run_worker(settings)  # until SIGTERM (finishes the job under way) or SIGINT
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from controller.demo import run_demo

    result = run_demo(settings, args)
    return result if isinstance(result, int) else 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number (1, 2, …)")
    return int(text)


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

    imp = sub.add_parser("import", help="import agencies, sites/screens, playlists (on air "
                         "at once: the operator's bootstrap) and schedules from YAML "
                         "(without options: config/agencies.yaml if present, "
                         "config/sites.yaml, playlists/, config/schedules.yaml, "
                         "config/sources.yaml, config/data_templates.yaml and "
                         "config/layouts.yaml if present)")
    imp.add_argument("--agencies", type=Path, metavar="FILE", help="agencies file")
    imp.add_argument("--sites", type=Path, metavar="FILE", help="sites and screens file")
    imp.add_argument("--playlists", type=Path, metavar="PATH",
                     help="a playlist file or a directory of them")
    imp.add_argument("--schedules", type=Path, metavar="FILE",
                     help="schedules file (which playlist plays where and when)")
    imp.add_argument("--sources", type=Path, metavar="FILE",
                     help="data sources file (config/sources.yaml: feeds the controller "
                     "polls; docs/sources.md)")
    imp.add_argument("--data-templates", type=Path, metavar="FILE",
                     help="data templates file (config/data_templates.yaml: how data "
                     "items draw a source's records; docs/sources.md)")
    imp.add_argument("--layouts", type=Path, metavar="FILE",
                     help="screen layouts file (config/layouts.yaml: main area, ticker "
                     "strip and clock corner; docs/zones.md)")
    imp.set_defaults(handler=cmd_import)

    pl = sub.add_parser("playlists", help="playlists as YAML files")
    pl_sub = pl.add_subparsers(dest="playlists_command", metavar="ACTION", required=True)
    pimp = pl_sub.add_parser("import", help="import a playlist file or a directory of them")
    pimp.add_argument("path", type=Path, metavar="PATH")
    pimp.add_argument("--approve", action="store_true",
                      help="put the playlists on air at once, without review (recorded in "
                      "the audit log); default: store them as drafts for review")
    pimp.add_argument("--by", metavar="USERNAME",
                      help="import as this user (their agency and role apply)")
    pimp.add_argument("--media-dir", type=Path, metavar="DIR",
                      help="where the files named by 'media:' are (default: media_source_dir)")
    pimp.set_defaults(handler=cmd_playlists_import)
    pexp = pl_sub.add_parser("export", help="write a playlist version as YAML")
    pexp.add_argument("id", metavar="ID")
    pexp.add_argument("--version", type=_positive, metavar="N", help="default: the current")
    pexp.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    pexp.add_argument("--media-dir", type=Path, metavar="DIR",
                      help="also copy the media files it names into DIR")
    pexp.set_defaults(handler=cmd_playlists_export)

    add_users_parser(sub)

    screens = sub.add_parser("screens", help="screens")
    screens_sub = screens.add_subparsers(dest="screens_command", metavar="ACTION",
                                         required=True)
    stok = screens_sub.add_parser("token", help="issue a new screen credential "
                                  "(revokes the old one)")
    stok.add_argument("screen_id")
    stok.set_defaults(handler=cmd_screens_token)

    add_emergency_parser(sub)
    add_media_parser(sub)
    add_report_parser(sub)
    add_alerts_parser(sub)

    sub.add_parser("serve", help="run the controller server").set_defaults(handler=cmd_serve)
    sub.add_parser("worker", help="run the job worker (imports, uploads' checks) for "
                   "jobs_worker: external").set_defaults(handler=cmd_worker)

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

    from controller.qr.allowlist import allowed_domains

    try:
        with allowed_domains(settings.qr_allowed_domains):  # links checked on import
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
