"""``pano-controller run`` — what ``make run`` starts on a fresh machine.

It prepares everything a newcomer needs and starts the controller with one local player:

1. migrates the database (SQLite under ``data_dir`` by default);
2. imports ``config/sites.yaml``, ``playlists/`` and ``config/schedules.yaml``
   (idempotent);
3. creates the ``admin`` account with a generated password, printed once — there is no
   default password anywhere; later runs keep the account and print nothing secret;
4. issues a fresh credential for the demo screen and starts ``pano-player`` in kiosk mode
   for it, with its cache under ``data_dir/player-<screen>``;
5. prints the URLs to open and serves until Ctrl-C, then stops the player too.
"""

from __future__ import annotations

import argparse
import atexit
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from controller import db
from controller.auth.tokens import issue_screen_token
from controller.auth.users import add_user
from controller.content.import_all import import_content
from controller.models import User
from controller.settings import Settings

PLAYER_HTTP_PORT = int(os.environ.get("PANO_PLAYER_PORT", "8090"))


def prepare(settings: Settings, player_screen: str | None) -> str | None:
    """Steps 1–4 up to the credential; returns the demo screen's token (or None)."""
    db.upgrade(settings.db_url)
    engine = db.make_engine(settings.db_url)
    try:
        with db.make_session_factory(engine)() as session:
            def present(name: str) -> Path | None:
                path = settings.config_dir / name
                return path if path.is_file() else None

            reports = import_content(
                session, settings, agencies=present("agencies.yaml"),
                sites=settings.config_dir / "sites.yaml", playlists=Path("playlists"),
                schedules=present("schedules.yaml"), sources=present("sources.yaml"),
                templates=present("data_templates.yaml"), layouts=present("layouts.yaml"))
            session.commit()
            for report in reports:
                print(report.summary())
            if session.scalar(select(User).where(User.role == "admin")) is None:
                _, password = add_user(session, "admin", "admin")
                session.commit()
                print("\n  Created the administrator account (shown only this once):")
                print("    username: admin")
                print(f"    password: {password}")
                print("  API token: pano-controller users token admin\n")
            token = None
            if player_screen:
                token = issue_screen_token(session, player_screen)
                session.commit()
            return token
    finally:
        engine.dispose()


def write_token_file(path: Path, token: str) -> Path:
    """``token`` in ``path``, readable by its owner only (mode 0600): a credential on a
    command line is visible to every local user (``ps``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an older file keeps its mode through O_CREAT
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    return path


def start_player(settings: Settings, screen: str, token: str) -> subprocess.Popen[bytes]:
    cache = (settings.data_dir / f"player-{screen}").resolve()
    token_file = write_token_file(settings.data_dir.resolve() / f"player-{screen}.token", token)
    cmd = [sys.executable, "-m", "player.cli",
           "--controller", f"http://127.0.0.1:{settings.port}",
           "--screen", screen, "--token-file", str(token_file), "--cache-dir", str(cache),
           "--display", "kiosk", "--http-port", str(PLAYER_HTTP_PORT)]
    proc = subprocess.Popen(cmd)
    atexit.register(_stop, proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    screen = None if getattr(args, "no_player", False) else args.player_screen
    try:
        token = prepare(settings, screen)
    except LookupError:
        print(f"error: no screen '{screen}' in {settings.config_dir / 'sites.yaml'}",
              file=sys.stderr)
        return 2
    base = f"http://127.0.0.1:{settings.port}"
    print("Pano is starting.")
    print(f"  Controller:          {base}/")
    print(f"  Web panel:           {base}/panel/  (sign in as admin; add people with "
          "'pano-controller users add NAME --role editor --agency tourism')")
    print(f"  Screens (API):       {base}/api/v1/screens  "
          "(Authorization: Bearer <token from 'pano-controller users token admin'>)")
    print("Stop with Ctrl-C.\n", flush=True)
    from controller.server import serve

    def player_once_listening() -> None:
        # Not before: the first start draws the demo's slides before it listens (10 s
        # on an idle 2-core machine, 40 s on a loaded one), and a player refused all
        # that time backs off for up to a minute more before it tries again.
        if screen and token:
            start_player(settings, screen, token)
            print(f"  Player '{screen}':  http://127.0.0.1:{PLAYER_HTTP_PORT}/  "
                  "(open it in a browser: this is what the screen shows)")
            print(f"  Player status:       http://127.0.0.1:{PLAYER_HTTP_PORT}/status",
                  flush=True)

    serve(settings, on_listening=player_once_listening)
    return 0
