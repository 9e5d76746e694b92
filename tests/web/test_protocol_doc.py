"""The player messages are declared once (player/messages.py): docs/protocol.md's tables
and examples and docs/protocol.schema.json are generated from the declaration and must
be what ``python -m controller.players.protocol_doc`` writes; the schema is valid JSON
Schema, accepts the document's examples and refuses what the controller refuses."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator

from controller.players import protocol_doc
from controller.plays.batch import record_hash
from player.message_check import MessageRefused, check
from player.messages import MESSAGES

PROTOCOL = protocol_doc.PROTOCOL_MD.read_text(encoding="utf-8")
SCHEMA = json.loads(protocol_doc.SCHEMA_JSON.read_text(encoding="utf-8"))


def validator(event: str) -> Draft202012Validator:
    return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{event}"})


def test_the_document_and_the_schema_are_what_the_declaration_generates():
    assert protocol_doc.rewrite(PROTOCOL) == PROTOCOL, \
        "run: python -m controller.players.protocol_doc"
    assert protocol_doc.schema_text() == protocol_doc.SCHEMA_JSON.read_text(encoding="utf-8")
    assert protocol_doc.main(["--check"]) == 0


def test_every_declared_message_has_its_generated_section():
    sections = set(re.findall(r"<!-- generated:(\w+) -->", PROTOCOL))
    assert sections == set(MESSAGES)
    heartbeat = PROTOCOL[PROTOCOL.index("<!-- generated:heartbeat -->"):]
    assert "| `sent_at` |" in heartbeat[:heartbeat.index("<!-- /generated:heartbeat -->")]


def test_a_changed_declaration_makes_the_document_stale():
    edited = PROTOCOL.replace("a number -40…150 °C, or null", "a number -40…151 °C, or null")
    assert edited != PROTOCOL and protocol_doc.rewrite(edited) == PROTOCOL


def test_the_schema_is_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert set(MESSAGES) | {"journal", "journal_record"} == set(SCHEMA["$defs"])


@pytest.mark.parametrize("event", sorted(MESSAGES))
def test_each_example_is_accepted_by_the_schema_and_the_check(event):
    example = MESSAGES[event].example
    validator(event).validate(example)
    assert check(MESSAGES[event], example) is not None
    block = protocol_doc.example_block(MESSAGES[event]) if example else ""
    assert block in PROTOCOL  # the document shows this very example


def _journal_record_example() -> dict:
    section = PROTOCOL[PROTOCOL.index("### `journal`"):]
    text = section[section.index("```json\n") + 8:]
    return json.loads(text[:text.index("```")])


def test_the_journal_example_record_is_accepted_and_its_batch_too():
    record = _journal_record_example()
    assert record_hash(record) == record["hash"]
    validator("journal_record").validate(record)
    batch = {"journal": "6f1c8e2a-0b9d-4c1e-8a5f-3d2e1b0c9a87", "records": [record]}
    validator("journal").validate(batch)
    assert not validator("journal").is_valid({**batch, "records": [record] * 101})
    assert not validator("journal_record").is_valid({**record, "kind": "film"})
    assert not validator("journal_record").is_valid({**record, "playlist": None})


BAD = [
    ("heartbeat", {"cpu_temp": 900.0}),
    ("heartbeat", {"load": [1, 2]}),
    ("heartbeat", {"software": "x" * 101}),
    ("heartbeat", {"timeline_version": True}),
    ("heartbeat", {"playing": {"item": "i" * 201}}),
    ("heartbeat", {"sent_at": 7}),
    ("ack", {"missing": []}),
    ("ack", {"version": 1, "missing": ["A" * 64]}),
    ("emergency_shown", {"id": 0, "shown_at": "2026-11-26T08:00:00Z"}),
    ("command_result", {"id": "../etc", "ok": True}),
    ("command_result", {"id": "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", "ok": True,
                        "Bad-Key": 1}),
    ("command_result", {"id": "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", "ok": True,
                        "removed": [1, 2]}),
    ("timeline_request", "hello"),
    ("welcome", {"screen": "s", "server_time": 1.0, "heartbeat_interval": 0,
                 "protocol": 1}),
    ("command", {"command": "identify"}),
]


@pytest.mark.parametrize(("event", "payload"), BAD)
def test_what_the_check_refuses_the_schema_refuses(event, payload):
    with pytest.raises(MessageRefused) as refused:
        check(MESSAGES[event], payload)
    assert str(refused.value).startswith(f"{event} refused: ")
    assert not validator(event).is_valid(payload)


def test_the_reference_players_heartbeat_keeps_to_the_declaration(tmp_path):
    from player.facts import collect

    beat = collect(tmp_path, now=1795676400.0, clock_offset=0.01, last_error="x" * 5000,
                   timeline_version=7, playing={"playlist": "a@1", "item": "b",
                                                "since": "2026-11-26T07:00:10Z"},
                   transport="websocket")
    assert check(MESSAGES["heartbeat"], beat)["last_error"] == "x" * 1000
