"""Every action the controller writes to the audit log has its words on the Audit page
(controller/panel/audit/templates/panel/audit_strings.html, translated like the rest of
the page): an action without them showed as its raw id ("source.declare") to a person
reading the log in Vietnamese."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STRINGS = REPO / "controller/panel/audit/templates/panel/audit_strings.html"
# record(session, actor, "area.verb", …) and action = "area.verb" assignments.
ACTION = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "controller").rglob("*.py"):
        text = path.read_text("utf-8")
        if "record(" not in text:
            continue
        for call in re.finditer(r"record\((?:[^()]|\([^()]*\))*\)", text, re.S):
            found.update(ACTION.findall(call.group(0))[:1])
        for assigned in re.finditer(r"action\s*=\s*[\"']([a-z_]+\.[a-z_]+)[\"']", text):
            found.add(assigned.group(1))
        for pair in re.finditer(r"(?:draft|entry|row), action = \w+, [\"']([a-z_]+\.[a-z_]+)[\"']",
                                text):
            found.add(pair.group(1))
    return {a for a in found if not a.endswith((".py", ".yaml", ".json"))}


def test_every_recorded_action_has_words_on_the_audit_page():
    words = set(re.findall(r'^\s*"([a-z_]+\.[a-z_]+)":', STRINGS.read_text("utf-8"), re.M))
    actions = _recorded_actions()
    assert "source.declare" in actions and "playlist.approve" in actions  # the scan works
    missing = sorted(actions - words)
    assert not missing, f"audit actions with no words on the Audit page: {missing}"
