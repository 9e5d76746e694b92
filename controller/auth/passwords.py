"""Password hashing with Argon2id (argon2-cffi's recommended parameters).

``PANO_INSECURE_FAST_PASSWORD_HASH=1`` in the environment makes new hashes cheap (one
pass over 1 MiB instead of three over 64 MiB): for the test suite only, which creates
and signs in hundreds of people and spent about a tenth of its CPU time in Argon2. Its
name says what it is; the controller logs a warning at start when it is set
(docs/security.md). Hashes keep their parameters, so either kind verifies either way."""

from __future__ import annotations

import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

INSECURE_FAST = os.environ.get("PANO_INSECURE_FAST_PASSWORD_HASH") == "1"
_hasher = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if INSECURE_FAST
           else PasswordHasher())
INSECURE_FAST_WARNING = ("PANO_INSECURE_FAST_PASSWORD_HASH=1: passwords are hashed with "
                         "test-only, weak Argon2 parameters; never set it on a controller "
                         "people use")

# No 0/o, 1/l/i: a generated password is read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LEN = 4, 5


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches; False on mismatch or a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A readable random password like ``k7mq2-xr9tf-a3hnp-w8cde`` (about 99 bits)."""
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LEN)) for _ in range(_GROUPS)
    )
