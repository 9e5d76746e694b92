"""The parts of docs/protocol.md that the declarations write, and docs/protocol.schema.json.

``python -m controller.players.protocol_doc`` rewrites, in protocol.md, every section
between ``<!-- generated:<event> -->`` and ``<!-- /generated:<event> -->`` with that
event's example and field table from ``player.messages``, and writes the JSON Schema
(``controller.players.protocol_schema``). ``--check`` changes nothing and exits 1 when
either file differs from what it would write; ``tests/web/test_protocol_doc.py`` runs the
same comparison, so the document cannot drift from what the code validates.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from controller.players.protocol_schema import protocol_schema
from player.message_check import describe
from player.messages import KIB, MESSAGES, Field, Message

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROTOCOL_MD = DOCS / "protocol.md"
SCHEMA_JSON = DOCS / "protocol.schema.json"
SECTION = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def example_block(message: Message) -> str:
    """The example as a ```json block: one line when short, else one field a line."""
    text = json.dumps(message.example, ensure_ascii=False)
    if len(text) > 90:
        text = "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                   for k, v in (message.example or {}).items()) + "\n}"
    return f"```json\n{text}\n```\n"


def _rows(field: Field, prefix: str = "") -> list[tuple[str, str, str]]:
    rows = []
    for sub in field.fields:
        name = f"`{prefix}{sub.name}`" + (" (required)" if sub.required else "")
        rows.append((name, describe(sub), sub.meaning))
        if sub.type == "object" and (sub.fields or sub.others is not None):
            rows += _rows(sub, f"{prefix}{sub.name}.")
    if field.others is not None:
        where = f"other keys of `{prefix[:-1]}`" if prefix else "other fields"
        limits = [describe(field.others)]
        if field.others_max is not None:
            limits.append(f"at most {field.others_max}")
        if field.others_name_says:
            limits.append(f"named with {field.others_name_says}")
        kept = "" if field.keep_others else "not kept"
        rows.append((where, "; ".join(limits), kept or field.meaning))
    return rows


def field_table(message: Message) -> str:
    """The event's fields as a Markdown table, with the body's own limits last."""
    lines = ["| field | type / range | what |", "|-------|--------------|------|"]
    for name, kind, meaning in _rows(message.body):
        lines.append(f"| {name} | {kind} | {meaning} |")
    whole = "a JSON object" + (", or no data" if message.optional else "")
    if message.max_bytes is not None:
        whole += f", ≤ {message.max_bytes // KIB} KiB as compact UTF-8 JSON"
    lines.append(f"| whole message | {whole} | |")
    return "\n".join(lines) + "\n"


def section(event: str) -> str:
    """An event's generated part: its example (if it has data), then its table."""
    message = MESSAGES[event]
    parts = [example_block(message)] if message.example else []
    return "\n".join(parts + [field_table(message)])


def rewrite(text: str) -> str:
    """``text`` with every generated section replaced by what the declaration says."""
    def replace(match: re.Match[str]) -> str:
        event = match.group(2)
        if event not in MESSAGES:
            raise KeyError(f"protocol.md names generated:{event}, which is not declared "
                           "in player/messages.py")
        return match.group(1) + section(event) + match.group(4)

    return SECTION.sub(replace, text)


def schema_text() -> str:
    return json.dumps(protocol_schema(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, new in ((PROTOCOL_MD, rewrite(PROTOCOL_MD.read_text(encoding="utf-8"))),
                      (SCHEMA_JSON, schema_text())):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old == new:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(new, encoding="utf-8")
    for path in stale:
        print(f"{path.name} {'is out of date' if args.check else 'rewritten'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
