"""docs/protocol.schema.json, made from the declarations: ``player.messages`` (the small
messages of both directions) and ``controller.plays.declaration`` (the ``journal`` batch
and its records). A player in any language can validate what it sends and receives with
``{"$ref": "protocol.schema.json#/$defs/<event>"}``.

JSON Schema cannot say everything the declarations do; what it cannot is in the
``description`` and in ``x-max-bytes`` (a body's largest size, compact UTF-8 JSON): a
free space that is at most another field (``available`` ≤ ``total``), a journal record's
hash and chain, the times checked against the controller's clock."""

from __future__ import annotations

from typing import Any

from controller.plays import declaration as journal
from player.message_check import describe
from player.messages import MESSAGES, Field, Message

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]{1,%d}$"
_TYPES = {"integer": "integer", "number": "number", "string": "string",
          "boolean": "boolean", "object": "object", "list": "array"}


def _typed(kind: str | list[str], nullable: bool) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": kinds + ["null"] if nullable else (kinds[0] if len(kinds) == 1 else kinds)}


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one declared field."""
    text = describe(field) + (f": {field.meaning}" if field.meaning else "")
    if field.type == "scalar":
        return {"type": ["number", "string", "boolean", "null"],
                "maxLength": field.longest, "description": text}
    out: dict[str, Any] = {**_typed(_TYPES[field.type], field.nullable), "description": text}
    if field.low is not None:
        out["minimum"] = field.low
    if field.high is not None:
        out["maximum"] = field.high
    if field.longest is not None:
        out["maxLength"] = field.longest
    if field.pattern is not None:
        out["pattern"] = f"^{field.pattern}$"
    if field.time:
        out["format"] = "date-time"
    if field.type == "list":
        fewest, most = field.entries or (0, None)
        out["minItems"] = fewest
        if most is not None:
            out["maxItems"] = most
        if field.items is not None:
            out["items"] = field_schema(field.items)
    if field.type == "object":
        out.update(_object(field))
    return out


def _object(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "properties": {f.name: field_schema(f) for f in field.fields},
        "required": [f.name for f in field.fields if f.required],
    }
    if field.others is not None:
        out["additionalProperties"] = field_schema(field.others)
        if field.others_max is not None:
            out["maxProperties"] = len(field.fields) + field.others_max
        if field.others_name is not None:
            names = "|".join(f.name for f in field.fields)
            out["propertyNames"] = {"pattern": f"^(?:{names}|{field.others_name})$"}
    return out


def message_schema(message: Message) -> dict[str, Any]:
    out = field_schema(message.body)
    out["description"] = f"`{message.event}`, sent by the {message.sender}."
    if message.optional:
        out["type"] = ["object", "null"]
    if message.max_bytes is not None:
        out["x-max-bytes"] = message.max_bytes
    if message.example is not None:
        out["examples"] = [message.example]
    return out


def _record_field(field: journal.RecordField) -> dict[str, Any]:
    shape = field.shape
    if shape in ("seq", "count"):
        low = 1 if shape == "seq" else 0
        out: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": journal.MAX_SEQ}
    elif shape == "digest":
        out = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    elif shape == "choice":
        out = {"enum": list(field.choices)}
    elif shape == "time":
        out = {"type": "string", "format": "date-time", "maxLength": journal.MAX_TIME_TEXT}
    elif shape == "name":
        out = {"type": "string", "pattern": _NO_CONTROL % journal.MAX_NAME}
    else:  # "codes", "names": short lists of short strings
        longest = journal.MAX_CODE if shape == "codes" else journal.MAX_NAME
        out = {"type": "array", "maxItems": journal.MAX_LIST,
               "items": {"type": "string", "pattern": _NO_CONTROL % longest}}
    if field.required:
        return out
    return {"anyOf": [out, {"type": "null"}]}


def journal_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``journal`` batch and one record: the envelope, each record's fields, the
    fields a record's kind needs (``needed_by``) and the sizes in ``x-max-bytes``."""
    needs: dict[str, list[str]] = {}
    for field in journal.RECORD_FIELDS:
        for kind in field.needed_by:
            needs.setdefault(kind, []).append(field.name)
    record = {
        "type": "object",
        "description": "One record of the play journal (docs/protocol.md, `journal`); "
                       "`hash` is the SHA-256 of its canonical form, `prev` the one "
                       "before it.",
        "properties": {f.name: _record_field(f) for f in journal.RECORD_FIELDS},
        "required": [f.name for f in journal.RECORD_FIELDS if f.required],
        "allOf": [{"if": {"properties": {"kind": {"const": kind}}},
                   "then": {"required": names,
                            "properties": {n: {"not": {"type": "null"}} for n in names}}}
                  for kind, names in needs.items()],
        "x-max-bytes": int(journal.MAX_RECORD.value),
    }
    return {
        "type": "object",
        "description": "`journal`, sent by the player: a batch of its play journal.",
        "properties": {
            "journal": {"type": "string", "pattern": f"^{journal.JOURNAL_ID_PATTERN}$"},
            "records": {"type": "array", "maxItems": int(journal.MAX_RECORDS.value),
                        "items": {"$ref": "#/$defs/journal_record"}},
        },
        "required": ["journal", "records"],
        "x-max-bytes": int(journal.MAX_BATCH.value),
    }, record


def protocol_schema() -> dict[str, Any]:
    """The whole file: one definition per event (and ``journal_record``)."""
    defs = {event: message_schema(m) for event, m in MESSAGES.items()}
    defs["journal"], defs["journal_record"] = journal_schema()
    return {
        "$schema": DRAFT,
        "title": "Pano player protocol, version 1 (docs/protocol.md)",
        "description": "Generated by `python -m controller.players.protocol_doc` from "
                       "player/messages.py and controller/plays/declaration.py; do not "
                       "edit. Validate an event's data with `#/$defs/<event>`. "
                       "`x-max-bytes`: the largest body as compact UTF-8 JSON.",
        "$defs": defs,
    }
