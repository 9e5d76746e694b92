"""Screen credentials, personal API tokens, passwords and users on a real database."""

from __future__ import annotations

import pytest

from controller.auth.passwords import generate_password, hash_password, verify_password
from controller.auth.tokens import (
    hash_secret,
    issue_screen_token,
    issue_user_token,
    new_secret,
    screen_for_token,
    user_for_token,
)
from controller.auth.users import ROLES, add_user
from controller.content.sites_import import import_sites
from controller.models import ApiToken, Screen, User, utcnow
from controller.zones.declarations import import_layouts

from .conftest import REPO


@pytest.fixture
def sites(session):
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    session.commit()
    return session


def test_secrets_have_prefix_and_only_hashes_are_stored(sites) -> None:
    assert new_secret("pst_").startswith("pst_") and len(new_secret("x")) > 40
    token = issue_screen_token(sites, "phu-bai-arrivals")
    sites.commit()
    screen = sites.get(Screen, "phu-bai-arrivals")
    assert token.startswith("pst_")
    assert screen.credential_hash == hash_secret(token) and token not in screen.credential_hash
    assert screen.credential_issued_at is not None


def test_screen_token_checks_and_revocation(sites) -> None:
    old = issue_screen_token(sites, "phu-bai-arrivals")
    sites.commit()
    assert screen_for_token(sites, "phu-bai-arrivals", old).id == "phu-bai-arrivals"
    assert screen_for_token(sites, "phu-bai-baggage", old) is None  # other screen
    assert screen_for_token(sites, "phu-bai-arrivals", old + "x") is None
    assert screen_for_token(sites, "no-such-screen", old) is None
    assert screen_for_token(sites, "chan-may-gate-kiosk", "") is None  # never issued
    new = issue_screen_token(sites, "phu-bai-arrivals")
    sites.commit()
    assert screen_for_token(sites, "phu-bai-arrivals", old) is None
    assert screen_for_token(sites, "phu-bai-arrivals", new) is not None


def test_unknown_screen(sites) -> None:
    with pytest.raises(LookupError, match="no screen with id 'nope'"):
        issue_screen_token(sites, "nope")


def test_user_tokens(session) -> None:
    add_user(session, "lan", "editor")
    token = issue_user_token(session, "lan")
    session.commit()
    assert token.startswith("pat_")
    user = user_for_token(session, token)
    session.commit()
    assert user.username == "lan"
    row = session.query(ApiToken).one()
    assert row.last_used_at is not None and row.token_hash == hash_secret(token)
    assert user_for_token(session, "pat_wrong") is None
    assert user_for_token(session, "") is None
    row.revoked_at = utcnow()
    session.commit()
    assert user_for_token(session, token) is None


def test_disabled_user_token_stops_working(session) -> None:
    user, _ = add_user(session, "minh", "viewer")
    token = issue_user_token(session, "minh")
    user.disabled = True
    session.commit()
    assert user_for_token(session, token) is None
    with pytest.raises(ValueError, match="disabled"):
        issue_user_token(session, "minh")


def test_unknown_user_token(session) -> None:
    with pytest.raises(LookupError, match="no user named 'ghost'"):
        issue_user_token(session, "ghost")


def test_passwords() -> None:
    pw = generate_password()
    assert 18 <= len(pw) <= 24 and not set(pw) & set("0O1lI")
    assert generate_password() != pw
    h = hash_password(pw)
    assert h.startswith("$argon2id$") and pw not in h
    assert verify_password(h, pw)
    assert not verify_password(h, pw + "x")
    assert not verify_password("not a hash", pw)


def test_add_user_generates_or_takes_a_password(session) -> None:
    user, generated = add_user(session, "admin", "admin")
    assert generated and verify_password(user.password_hash, generated)
    user2, none = add_user(session, "tech.1", "technician", "correct horse battery")
    assert none is None and verify_password(user2.password_hash, "correct horse battery")
    session.commit()
    assert session.query(User).count() == 2
    assert "emergency" in ROLES


@pytest.mark.parametrize(
    ("username", "role", "password", "fragment"),
    [
        ("bob", "god", None, "unknown role 'god'"),
        ("Bob", "admin", None, "bad username 'Bob'"),
        ("b", "admin", None, "bad username"),
        ("bob smith", "admin", None, "bad username"),
        ("bob", "admin", "short", "password too short"),
        ("bob", "admin", " padded password ", "white space"),
        ("taken", "viewer", None, "a user named 'taken' already exists"),
    ],
)
def test_add_user_refusals(session, username, role, password, fragment) -> None:
    add_user(session, "taken", "viewer")
    session.commit()
    with pytest.raises(ValueError) as info:
        add_user(session, username, role, password)
    assert fragment in str(info.value)
    session.rollback()
    assert session.query(User).count() == 1
