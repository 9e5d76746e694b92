"""``pano-controller users add|set|disable``: scopes, the known values a refusal names,
the audit entries (as ``cli:ACCOUNT``), and that a disabled user's token stops working.
The commands run in this process (``cli_here``: the same ``main``, cwd, environment and
streams); the first test runs them as subprocesses, as a technician does."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import cli_here, run_cli


def db(work: Path) -> sqlite3.Connection:
    return sqlite3.connect(work / "var" / "pano.db")


def user_row(work: Path, username: str) -> tuple:
    with db(work) as conn:
        return conn.execute("select role, agency_id, scope_sites, scope_themes, disabled "
                            "from users where username = ?", (username,)).fetchone()


def audit(work: Path, username: str) -> list[tuple]:
    with db(work) as conn:
        return conn.execute("select action, actor, before, after from audit_entries where "
                            "object_type = 'user' and object_id = ? order by id",
                            (username,)).fetchall()


def refused(result, fragment: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture
def work(workdir: Path) -> Path:
    assert cli_here(workdir, "import").returncode == 0
    return workdir


def test_add_with_a_scope_then_set_then_disable(work: Path) -> None:
    added = run_cli(work, "users", "add", "lan", "--role", "editor", "--agency", "tourism",
                    "--sites", "lang-co-pano,chan-may-port", "--themes", "sea-islands")
    assert added.returncode == 0, added.stderr
    assert "Generated password" in added.stdout
    assert user_row(work, "lan") == ("editor", "tourism", '["lang-co-pano", "chan-may-port"]',
                                     '["sea-islands"]', 0)

    changed = run_cli(work, "users", "set", "lan", "--role", "approver", "--agency",
                      "culture", "--sites", "", "--themes", "festival,heritage")
    assert changed.returncode == 0, changed.stderr
    assert "User 'lan' updated: role approver, agency culture, sites all, themes " \
           "festival, heritage, active." in changed.stdout
    assert user_row(work, "lan") == ("approver", "culture", "[]",
                                     '["festival", "heritage"]', 0)
    again = run_cli(work, "users", "set", "lan", "--role", "approver")
    assert again.returncode == 0 and "User 'lan' unchanged" in again.stdout

    token = run_cli(work, "users", "token", "lan").stdout.strip()
    assert token.startswith("pat_")
    disabled = run_cli(work, "users", "disable", "lan")
    assert disabled.returncode == 0 and "disabled." in disabled.stdout
    assert user_row(work, "lan")[4] == 1
    no_token = run_cli(work, "users", "token", "lan")
    assert no_token.returncode == 1 and "is disabled" in no_token.stderr
    enabled = run_cli(work, "users", "set", "lan", "--enable", "--no-agency")
    assert enabled.returncode == 0 and "agency none" in enabled.stdout

    entries = audit(work, "lan")
    actions = [e[0] for e in entries]
    assert actions == ["user.create", "user.update", "credential.issue", "user.update",
                       "user.update"]  # add (with its scope), set, token, disable, enable
    assert json.loads(entries[0][3])["scope_sites"] == ["lang-co-pano", "chan-may-port"]
    assert all(actor.startswith("cli:") for _, actor, _, _ in entries)
    role_change = json.loads(entries[1][2]), json.loads(entries[1][3])
    assert role_change[0]["role"] == "editor" and role_change[1]["role"] == "approver"
    assert role_change[1]["scope_sites"] == []


def test_refusals_name_the_known_values_and_change_nothing(work: Path) -> None:
    assert cli_here(work, "users", "add", "minh", "--role", "editor").returncode == 0
    before = user_row(work, "minh"), audit(work, "minh")
    refused(cli_here(work, "users", "set", "minh", "--sites", "atlantis"),
            "unknown site 'atlantis' in scope_sites (known: a-dot-border-gate")
    refused(cli_here(work, "users", "set", "minh", "--agency", "nasa"),
            "unknown agency 'nasa' (known: border-guard, culture, dic")
    refused(cli_here(work, "users", "set", "minh"), "nothing to change")
    refused(cli_here(work, "users", "set", "nobody", "--role", "viewer"),
            "no user named 'nobody'")
    refused(cli_here(work, "users", "add", "hoa", "--sites", "atlantis"), "unknown site")
    assert (user_row(work, "minh"), audit(work, "minh")) == before
    assert user_row(work, "hoa") is None


def test_the_last_admin_stays(work: Path) -> None:
    assert cli_here(work, "users", "add", "root", "--role", "admin").returncode == 0
    refused(cli_here(work, "users", "disable", "root"), "last active admin")
    refused(cli_here(work, "users", "set", "root", "--role", "viewer"), "last active admin")
    assert cli_here(work, "users", "add", "root2", "--role", "admin").returncode == 0
    assert cli_here(work, "users", "disable", "root").returncode == 0


def password_hash(work: Path, username: str) -> str:
    with db(work) as conn:
        return conn.execute("select password_hash from users where username = ?",
                            (username,)).fetchone()[0]


def test_passwd_sets_a_new_password_audited_without_the_secret(work: Path) -> None:
    from controller.auth.passwords import verify_password

    assert cli_here(work, "users", "add", "mai", "--role", "editor").returncode == 0
    before = password_hash(work, "mai")
    generated = cli_here(work, "users", "passwd", "mai")
    assert generated.returncode == 0, generated.stderr
    assert "Password of 'mai' changed; their panel sessions have ended." in generated.stdout
    secret = generated.stdout.split("store it now): ")[1].strip()
    assert password_hash(work, "mai") != before
    assert verify_password(password_hash(work, "mai"), secret)

    chosen = cli_here(work, "users", "passwd", "mai", "--password-stdin",
                     stdin="a long chosen password\n")
    assert chosen.returncode == 0, chosen.stderr
    assert "Generated password" not in chosen.stdout
    assert verify_password(password_hash(work, "mai"), "a long chosen password")
    entries = [e for e in audit(work, "mai") if e[0] == "user.password"]
    assert len(entries) == 2
    for _action, actor, _before, after in entries:
        assert actor.startswith("cli:")
        assert json.loads(after) == {"password": "changed"}
        assert secret not in after and "chosen" not in after


def test_passwd_refuses_a_short_password_or_an_unknown_user(work: Path) -> None:
    assert cli_here(work, "users", "add", "minh", "--role", "viewer").returncode == 0
    before = password_hash(work, "minh")
    refused(cli_here(work, "users", "passwd", "minh", "--password-stdin", stdin="short\n"),
            "password too short: at least 12 characters")
    refused(cli_here(work, "users", "passwd", "nobody"), "no user named 'nobody'")
    assert password_hash(work, "minh") == before
