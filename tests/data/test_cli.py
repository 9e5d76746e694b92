"""The real ``pano-controller`` command line in a fresh copy of the project's config/,
playlists/ and media/: as a subprocess where how it starts matters (the first import,
usage and settings errors), its ``main`` in this process for what the commands do
(``cli_here``: a subprocess costs about a second of CPU in imports)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from controller.auth.passwords import verify_password
from controller.auth.tokens import hash_secret
from controller.db import head_revision

from .conftest import cli_here, run_cli


def db(work: Path, data_dir: str = "var") -> sqlite3.Connection:
    return sqlite3.connect(work / data_dir / "pano.db")


def one_line_error(result, fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pano-controller: error: ")
    assert fragment in lines[0], lines[0]


def test_import_on_a_fresh_install_then_again(workdir: Path) -> None:
    first = run_cli(workdir, "import")
    assert first.returncode == 0, first.stderr
    assert "config/sites.yaml: sites and screens: 11 created" in first.stdout
    shipped = len(list((workdir / "playlists").glob("*.yaml")))
    assert f"playlists: playlists: {shipped} created" in first.stdout
    assert "config/agencies.yaml: agencies: 7 created" in first.stdout
    with db(workdir) as conn:
        assert conn.execute("select count(*) from screens").fetchone() == (7,)
        # One bump per part that changed (sites, playlists, schedules), each naming
        # what it touched in the change log (controller/changes.py).
        assert conn.execute("select value from change_counter").fetchone() == (3,)
        assert conn.execute("select count(*) from change_log").fetchone()[0] > 3
    assert len(list((workdir / "var" / "media").rglob("*.*"))) == 0  # names are hashes
    # The playlists' three files: nothing is on air yet, so no slide is drawn ahead
    # (controller/timeline/ahead.py; the first rebuild's job worker draws them).
    assert len([p for p in (workdir / "var" / "media").rglob("*") if p.is_file()]) == 3
    second = run_cli(workdir, "import")
    assert second.returncode == 0
    assert "0 created, 0 updated, 11 unchanged" in second.stdout
    with db(workdir) as conn:
        assert conn.execute("select value from change_counter").fetchone() == (3,)


def test_refused_file_exits_2_names_file_and_line_and_changes_nothing(workdir: Path) -> None:
    assert cli_here(workdir, "import").returncode == 0
    sites = workdir / "config" / "sites.yaml"
    sites.write_text(sites.read_text(encoding="utf-8").replace(
        "resolution: 1280x720", "resolution: 1280x72O"), encoding="utf-8")
    playlist = workdir / "playlists" / "welcome-hue.yaml"
    playlist.write_text(playlist.read_text(encoding="utf-8").replace(
        "duration: 8", "duration: 9"), encoding="utf-8")
    result = cli_here(workdir, "import")
    assert result.returncode == 2
    line = next(n for n, text in enumerate(sites.read_text(encoding="utf-8").splitlines(), 1)
                if "1280x72O" in text)
    one_line_error(result, f"config/sites.yaml, line {line}: screen 'phu-bai-baggage': "
                           "resolution must be WIDTHxHEIGHT")
    with db(workdir) as conn:
        assert conn.execute("select max(number) from playlist_versions").fetchone() == (1,)
        assert conn.execute("select value from change_counter").fetchone() == (3,)


def test_import_only_the_given_playlists(workdir: Path) -> None:
    refused = cli_here(workdir, "--data-dir", "elsewhere", "import", "--playlists",
                      "playlists/welcome-hue.yaml")
    one_line_error(refused, "playlists/welcome-hue.yaml, line 5: playlist 'welcome-hue': "
                            "unknown agency 'tourism' (known: none;")
    result = cli_here(workdir, "--data-dir", "elsewhere", "import", "--agencies",
                     "config/agencies.yaml", "--playlists", "playlists/welcome-hue.yaml")
    assert result.returncode == 0, result.stderr
    assert "sites" not in result.stdout
    with db(workdir, "elsewhere") as conn:
        assert conn.execute("select id from playlists").fetchall() == [("welcome-hue",)]


def test_screen_token_revokes_the_previous_one(workdir: Path) -> None:
    assert cli_here(workdir, "import", "--layouts", "config/layouts.yaml",
                    "--sites", "config/sites.yaml").returncode == 0
    first = cli_here(workdir, "screens", "token", "phu-bai-arrivals")
    assert first.returncode == 0 and first.stdout.startswith("pst_")
    second = cli_here(workdir, "screens", "token", "phu-bai-arrivals")
    assert "previous credential is revoked" in second.stderr
    token = second.stdout.strip()
    with db(workdir) as conn:
        (stored,) = conn.execute(
            "select credential_hash from screens where id='phu-bai-arrivals'").fetchone()
    assert stored == hash_secret(token) != hash_secret(first.stdout.strip())
    one_line_error(cli_here(workdir, "screens", "token", "nope"), "no screen with id 'nope'")


def test_users_add_and_token(workdir: Path) -> None:
    made = cli_here(workdir, "users", "add", "lan", "--role", "admin")
    assert made.returncode == 0, made.stderr
    assert "User 'lan' created with role admin." in made.stdout
    password = made.stdout.split("store it now): ")[1].strip()
    given = cli_here(workdir, "users", "add", "minh", "--role", "editor", "--password-stdin",
                    stdin="a long enough secret\n")
    assert given.returncode == 0 and "Generated password" not in given.stdout
    with db(workdir) as conn:
        rows = dict(conn.execute("select username, password_hash from users"))
    assert verify_password(rows["lan"], password)
    assert verify_password(rows["minh"], "a long enough secret")
    token = cli_here(workdir, "users", "token", "lan")
    assert token.returncode == 0 and token.stdout.startswith("pat_")
    assert "Authorization: Bearer" in token.stderr
    one_line_error(cli_here(workdir, "users", "add", "lan"), "already exists")
    one_line_error(cli_here(workdir, "users", "token", "ghost"), "no user named 'ghost'")
    one_line_error(cli_here(workdir, "users", "add", "x y"), "bad username")
    one_line_error(cli_here(workdir, "users", "add", "ok", "--password-stdin", stdin=""),
                   "nothing on standard input")


def test_bad_settings_are_one_line(workdir: Path) -> None:
    one_line_error(run_cli(workdir, "--port", "70000", "db", "upgrade"),
                   "port must be between 1 and 65535")
    (workdir / "bad.yaml").write_text("port: 8080\nprot: 1\n")
    one_line_error(run_cli(workdir, "--config", "bad.yaml", "db", "upgrade"),
                   "bad.yaml, line 2: unknown setting 'prot'")
    one_line_error(run_cli(workdir, "--config", "missing.yaml", "db", "upgrade"),
                   "missing.yaml: configuration file not found")


def test_db_upgrade_with_data_dir(workdir: Path) -> None:
    result = cli_here(workdir, "--data-dir", "d2", "db", "upgrade")
    assert result.returncode == 0 and "is up to date" in result.stdout
    with db(workdir, "d2") as conn:
        version = conn.execute("select version_num from alembic_version").fetchone()
        assert version == (head_revision(),)


def test_unusable_data_dir_is_one_line(workdir: Path) -> None:
    (workdir / "afile").write_text("x")
    result = cli_here(workdir, "--data-dir", "afile/sub", "db", "upgrade")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(workdir: Path) -> None:
    result = run_cli(workdir, "frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_playlist_undoes_the_sites_of_the_same_import(workdir: Path) -> None:
    (workdir / "playlists" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    result = cli_here(workdir, "import")
    assert result.returncode == 2
    one_line_error(result, "broken.yaml, line 1: playlist: missing required key 'title'")
    with db(workdir) as conn:
        assert conn.execute("select count(*) from screens").fetchone() == (0,)
        assert conn.execute("select value from change_counter").fetchone() == (0,)
