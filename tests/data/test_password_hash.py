"""Argon2 parameters: argon2-cffi's recommended ones unless the test-only switch
``PANO_INSECURE_FAST_PASSWORD_HASH=1`` is set (the suite sets it, tests/conftest.py);
either kind of hash verifies whatever the switch, since a hash carries its parameters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = ("import sys; from controller.auth.passwords import hash_password, verify_password;"
          "print(hash_password('correct horse battery'));"
          "print(all(verify_password(h, 'correct horse battery') for h in sys.argv[1:]))")


def hashed(fast: bool, *others: str) -> tuple[str, bool]:
    env = {k: v for k, v in os.environ.items() if k != "PANO_INSECURE_FAST_PASSWORD_HASH"}
    if fast:
        env["PANO_INSECURE_FAST_PASSWORD_HASH"] = "1"
    out = subprocess.run([sys.executable, "-c", SCRIPT, *others], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return out[0], out[1] == "True"


def test_recommended_parameters_unless_the_test_switch_is_set():
    strong, _ = hashed(False)
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    fast, both = hashed(True, strong)
    assert fast.startswith("$argon2id$v=19$m=1024,t=1,p=1$") and both
    _, both = hashed(False, fast)
    assert both
