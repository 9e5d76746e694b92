"""The ``restart`` and ``reboot`` commands (docs/protocol.md, ``command``;
docs/operations.md 2.2).

``restart``: the player answers ``command_result`` first, stops cleanly (the play
journal is saved and fsynced, as on SIGTERM) and then *re-executes itself* with
``os.execv`` and the command line it was started with (``sys.orig_argv``). It re-executes
rather than exiting for a supervisor to start it again because a player does not always
have one (a technician's laptop, a container, the tests), and because under systemd the
process keeps its PID, so ``Restart=``'s start limits and ``RestartSec`` never get in the
way. If ``execv`` itself fails, the player exits with :data:`RESTART_EXIT` (75,
EX_TEMPFAIL), which deploy/pano-player.service's ``Restart=always`` turns into a restart.

``reboot``: the device reboots through the configurable ``reboot_command`` (player
option ``--reboot-command``; default :data:`DEFAULT_REBOOT_COMMAND`). It is split like a
shell line (``shlex``) and run *without* a shell. The answer is ``ok: true`` when the
command exited 0 or still runs after :data:`REBOOT_WAIT` seconds (it was started), and
``ok: false`` with the reason when it could not be run or exited with another code (its
output is quoted). An empty ``reboot_command`` disables the command."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys

log = logging.getLogger("pano.player.power")

# systemctl asks logind, which lets the pano user reboot once polkit allows it
# (deploy/kiosk/setup-pi.sh installs the rule; sudo would not work: the unit sets
# NoNewPrivileges=yes, docs/operations.md 2.2).
DEFAULT_REBOOT_COMMAND = "/usr/bin/systemctl reboot"
RESTART_EXIT = 75  # EX_TEMPFAIL: "start me again" for systemd's Restart=always
REBOOT_WAIT = 10.0  # seconds to wait for the reboot command to exit
OUTPUT_MAX = 300  # characters of its output quoted in a failure


def reboot(command: str | None, wait: float = REBOOT_WAIT) -> tuple[bool, str, dict]:
    """Run the reboot command: (ok, message, extra fields for ``command_result``)."""
    if not command or not command.strip():
        return False, "reboot is disabled on this player (reboot_command is empty)", {}
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return False, f"the reboot command {command!r} cannot be read: {exc}", {}
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except FileNotFoundError:
        return False, f"cannot run the reboot command: {argv[0]} not found", {}
    except OSError as exc:
        return False, f"cannot run the reboot command {argv[0]}: {exc.strerror or exc}", {}
    try:
        output, _ = proc.communicate(timeout=wait)
    except subprocess.TimeoutExpired:
        log.warning("reboot command %s started (pid %d), still running", argv[0], proc.pid)
        return True, (f"reboot command started (pid {proc.pid}, still running after "
                      f"{wait:g} s)"), {"pid": proc.pid}
    said = output.decode("utf-8", "replace").strip()[-OUTPUT_MAX:]
    if proc.returncode != 0:
        return False, (f"the reboot command exited with {proc.returncode}"
                       + (f": {said}" if said else "")), {"exit_code": proc.returncode}
    log.warning("reboot command %s finished: the device is going down", argv[0])
    return True, "reboot command run (exit 0): the device is going down", {"exit_code": 0}


def reexec() -> int:
    """Replace this process by a fresh player with the same command line; returns only
    if that fails, with the exit code that asks systemd to restart it."""
    argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
    log.warning("restarting: %s", " ".join(argv))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, argv)
    except OSError as exc:  # pragma: no cover - a missing interpreter
        print(f"pano-player: cannot re-execute ({exc}); exiting with {RESTART_EXIT} for "
              "the supervisor to start it again", file=sys.stderr)
    return RESTART_EXIT
