"""``pano-controller users add|set|passwd|disable|token``: operator accounts from the command
line. The rules (known roles, agencies and sites; the last admin stays) and the audit
entries are the API's (``controller.api.users``); the actor is the operating-system
account (``cli:NAME`` in the audit log)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from controller.cli_base import EXIT_INPUT, CliError, sessions

if TYPE_CHECKING:
    from controller.settings import Settings

def _ids(text: str) -> list[str]:
    """``a,b`` -> ["a", "b"]; ``""`` -> [] (no limit)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _read_password_stdin() -> str:
    line = sys.stdin.readline()
    if not line:
        raise CliError("--password-stdin: nothing on standard input")
    return line.rstrip("\r\n")


def _scope_text(values: list[str]) -> str:
    return ", ".join(values) if values else "all"


def cmd_users_add(settings: Settings, args: argparse.Namespace) -> int:
    from controller.api.users import UserRefused, create_user
    from controller.review.actor import Actor

    password = _read_password_stdin() if args.password_stdin else None
    with sessions(settings)() as session:
        try:
            user, generated = create_user(
                session, Actor.command_line(), args.username, args.role, agency=args.agency,
                password=password,
                scope_sites=_ids(args.sites) if args.sites is not None else None,
                scope_themes=_ids(args.themes) if args.themes is not None else None)
        except UserRefused as exc:
            raise CliError(exc.message, EXIT_INPUT) from None
        session.commit()
        print(f"User {user.username!r} created with role {user.role}.")
    if generated:
        print(f"Generated password (shown only once, store it now): {generated}")
    return 0


def _update(settings: Settings, username: str, changes: dict[str, Any]) -> int:
    from controller.api.users import UserRefused, update_user
    from controller.review.actor import Actor

    with sessions(settings)() as session:
        try:
            user, changed = update_user(session, Actor.command_line(), username, changes)
        except UserRefused as exc:
            raise CliError(exc.message, EXIT_INPUT) from None
        session.commit()
        state = "disabled" if user.disabled else "active"
        print(f"User {user.username!r} {'updated' if changed else 'unchanged'}: role "
              f"{user.role}, agency {user.agency_id or 'none'}, sites "
              f"{_scope_text(user.scope_sites)}, themes {_scope_text(user.scope_themes)}, "
              f"{state}.")
    return 0


def cmd_users_set(settings: Settings, args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.role is not None:
        changes["role"] = args.role
    if args.no_agency:
        changes["agency"] = None
    elif args.agency is not None:
        changes["agency"] = args.agency
    if args.sites is not None:
        changes["scope_sites"] = _ids(args.sites)
    if args.themes is not None:
        changes["scope_themes"] = _ids(args.themes)
    if args.enable:
        changes["disabled"] = False
    if not changes:
        raise CliError("users set: nothing to change (give --role, --agency, --no-agency, "
                       "--sites, --themes or --enable)", EXIT_INPUT)
    return _update(settings, args.username, changes)


def cmd_users_disable(settings: Settings, args: argparse.Namespace) -> int:
    return _update(settings, args.username, {"disabled": True})


def cmd_users_passwd(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.users import set_password
    from controller.review.actor import Actor

    password = _read_password_stdin() if args.password_stdin else None
    with sessions(settings)() as session:
        try:
            generated = set_password(session, args.username, password,
                                     actor=Actor.command_line())
        except ValueError as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
        session.commit()
    print(f"Password of {args.username!r} changed; their panel sessions have ended.")
    if generated:
        print(f"Generated password (shown only once, store it now): {generated}")
    return 0


def cmd_users_token(settings: Settings, args: argparse.Namespace) -> int:
    from controller.auth.tokens import issue_user_token
    from controller.review.actor import Actor

    with sessions(settings)() as session:
        token = issue_user_token(session, args.username, Actor.command_line())
        session.commit()
    print(f"New personal API token for {args.username!r} (shown only once; send it as "
          "'Authorization: Bearer <token>'):", file=sys.stderr)
    print(token)
    return 0


def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sites", metavar="A,B",
                        help="limit an editor to scheduling onto these sites (comma-"
                        "separated site ids; \"\" = no limit)")
    parser.add_argument("--themes", metavar="X,Y",
                        help="limit an editor to playlists with these themes (\"\" = no "
                        "limit)")


def add_users_parser(sub: Any) -> None:
    from controller.auth.roles import ROLES  # not auth.users: it imports the models

    users = sub.add_parser("users", help="operator accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users_sub.add_parser("add", help="create a user (prints a generated password)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="viewer", help="default: viewer")
    add.add_argument("--agency", metavar="ID", help="the user's agency (config/agencies.yaml)")
    _scope_options(add)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(handler=cmd_users_add)

    change = users_sub.add_parser("set", help="change a user's role, agency or scope "
                                  "(audited)")
    change.add_argument("username")
    change.add_argument("--role", choices=ROLES)
    agency = change.add_mutually_exclusive_group()
    agency.add_argument("--agency", metavar="ID", help="move the user to this agency")
    agency.add_argument("--no-agency", action="store_true", help="take the user out of "
                        "their agency")
    _scope_options(change)
    change.add_argument("--enable", action="store_true", help="enable a disabled user")
    change.set_defaults(handler=cmd_users_set)

    disable = users_sub.add_parser("disable", help="disable a user: their tokens stop "
                                   "working at once (audited)")
    disable.add_argument("username")
    disable.set_defaults(handler=cmd_users_disable)

    passwd = users_sub.add_parser("passwd", help="set a new password (prints a generated "
                                  "one); ends the user's panel sessions (audited)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    passwd.set_defaults(handler=cmd_users_passwd)

    tok = users_sub.add_parser("token", help="issue a personal API token")
    tok.add_argument("username")
    tok.set_defaults(handler=cmd_users_token)
