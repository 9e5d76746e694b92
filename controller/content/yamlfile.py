"""Safe YAML reading for operator-written files, with line numbers for every value.

``load_yaml(path)`` parses a file with a ``yaml.SafeLoader`` subclass that

- refuses anchors and aliases (no billion-laughs), merge keys, duplicate keys,
  non-text keys (``no:``/``on:`` would silently become booleans), deep nesting,
  files over 1 MiB and files that are not UTF-8;
- builds mappings as :class:`LineDict` and sequences as :class:`LineList`, which
  remember the line of the container, of each key and of each value.

Validators then work through :class:`Fields`, a view on one mapping that reads typed
values and raises :class:`YamlError` naming the file and the line of the offending value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, SequenceNode

from controller.content.text_rule import text_refusal
from controller.refusals import Refusal, refusal

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32


class YamlError(ValueError):
    """A refused file: ``str()`` is ``"FILE, line N: reason"`` (a refusal, said in the
    API caller's language; ``reason`` too)."""

    def __init__(self, file: Path | str, line: int | None, reason: str) -> None:
        self.file = str(file)
        self.line = line
        self.reason = reason
        super().__init__(refusal("%(file)s, line %(line)d: %(reason)s", file=self.file,
                                 line=line, reason=reason) if line else
                         refusal("%(file)s: %(reason)s", file=self.file, reason=reason))


class LineDict(dict):
    """A mapping read from YAML: ``line`` of the mapping, ``key_lines``/``value_lines``
    per key (1-based)."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}


class LineList(list):
    """A sequence read from YAML: ``line`` of the sequence, ``item_lines`` per index."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of ``container[key]`` (or of the container itself when key is None)."""
    if key is None:
        return getattr(container, "line", None) or None
    if isinstance(container, LineDict):
        return container.value_lines.get(key) or container.line or None
    if isinstance(container, LineList) and isinstance(key, int):
        if 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line or None
    return None


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases/anchors/merge keys/duplicates, keeping line numbers."""

    file: str = "<yaml>"

    def _fail(self, mark: Any, reason: str) -> NoReturn:
        raise YamlError(self.file, mark.line + 1 if mark is not None else None, reason)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._fail(event.start_mark, refusal("aliases (*%(anchor)s) are not allowed",
                                                 anchor=event.anchor))
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor:
            self._fail(event.start_mark, refusal("anchors (&%(anchor)s) are not allowed",
                                                 anchor=event.anchor))
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_DEPTH:
            self._fail(event.start_mark, refusal("nesting deeper than %(most)d levels",
                                                 most=MAX_DEPTH))
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # PyYAML's own constructors raise bare ValueErrors for impossible scalars
        # (2026-13-01, a timestamp with day 32): give them the file and line too.
        try:
            return super().construct_object(node, deep=deep)
        except YamlError:
            raise
        except (ValueError, OverflowError) as exc:
            if node.tag.endswith(":timestamp"):
                self._fail(node.start_mark, refusal(
                    "%(value)r is not a valid date or time (%(why)s); write dates as "
                    "YYYY-MM-DD", value=node.value, why=str(exc)))
            self._fail(node.start_mark, refusal("%(value)r is not a valid value (%(why)s)",
                                                value=node.value, why=str(exc)))

    def construct_line_dict(self, node: MappingNode) -> LineDict:
        data = LineDict()
        data.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node.start_mark, refusal("merge keys (<<) are not allowed"))
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self._fail(
                    key_node.start_mark,
                    refusal("key %(key)r must be text (put it in quotes)",
                            key=key_node.value),
                )
            if key in data:
                self._fail(
                    key_node.start_mark,
                    refusal("duplicate key %(key)r (first on line %(first)d)", key=key,
                            first=data.key_lines[key]),
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1
            data.value_lines[key] = value_node.start_mark.line + 1
        return data

    def construct_line_list(self, node: SequenceNode) -> LineList:
        data = LineList()
        data.line = node.start_mark.line + 1
        for child in node.value:
            data.append(self.construct_object(child, deep=True))
            data.item_lines.append(child.start_mark.line + 1)
        return data


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_line_dict)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_line_list)


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(path, line, refusal("not UTF-8 text (byte 0x%(byte)02x)",
                                            byte=raw[exc.start])) from None
    return text.removeprefix("\ufeff")


def load_yaml(path: Path) -> Any:
    """Parse one operator-written YAML file; raise YamlError on anything doubtful."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise YamlError(path, None, refusal("file not found")) from None
    except IsADirectoryError:
        raise YamlError(path, None, refusal("is a directory, expected a YAML file")) from None
    except OSError as exc:
        raise YamlError(path, None, refusal("cannot read: %(why)s",
                                            why=str(exc.strerror))) from None
    if len(raw) > MAX_BYTES:
        raise YamlError(path, None, refusal("file larger than %(most)d KiB, refused",
                                            most=MAX_BYTES // 1024))
    text = _decode(path, raw)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise YamlError(path, line, refusal("contains a NUL character"))
    loader = _Loader(text)
    loader.file = str(path)
    try:
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # PyYAML's own words stay English, inside the translated "FILE, line N: …".
        reason = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlError(path, mark.line + 1 if mark else None, reason) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, refusal("invalid YAML: %(problem)s",
                                            problem=str(exc))) from None
    except RecursionError:
        raise YamlError(path, None, refusal("nesting too deep")) from None
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- validators

_TYPE_NAMES = {
    bool: refusal("true/false"),
    int: refusal("a whole number"),
    float: refusal("a number"),
    str: refusal("text"),
    type(None): refusal("nothing (null)"),
    dict: refusal("a mapping"),
    list: refusal("a list"),
}


def describe(value: Any) -> str:
    """A short operator-facing name for the type of ``value``."""
    if isinstance(value, dict):
        return _TYPE_NAMES[dict]
    if isinstance(value, list):
        return _TYPE_NAMES[list]
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Fields:
    """A view on one YAML mapping for validation. ``where`` prefixes messages
    (e.g. ``"screen 'x'"``). Text values come back NFC-normalised."""

    def __init__(self, file: Path | str, data: Any, where: str, line: int | None = None) -> None:
        self.file = str(file)
        self.where = where
        if not isinstance(data, dict):
            raise YamlError(self.file, line or line_of(data), refusal(
                "%(where)s: expected a mapping (key: value lines), got %(got)s", where=where,
                got=describe(data)))
        self.data = data

    # -- failures
    def fail(self, key: str | None, reason: str) -> NoReturn:
        line = line_of(self.data, key) if key is not None else line_of(self.data)
        raise YamlError(self.file, line, self.said(reason))

    def fail_item(self, key: str, index: int, reason: str) -> NoReturn:
        value = self.data.get(key)
        line = line_of(value, index) or line_of(self.data, key)
        raise YamlError(self.file, line, self.said(reason))

    def said(self, reason: str) -> Refusal:
        """``reason`` prefixed with where it was found."""
        return refusal("%(where)s: %(reason)s", where=self.where, reason=reason)

    def line(self, key: str | None = None) -> int | None:
        return line_of(self.data, key) if key is not None else line_of(self.data)

    # -- structure
    def only(self, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> None:
        """Refuse unknown keys (at the key's line) and missing required keys."""
        allowed = set(required) | set(optional)
        for key in self.data:
            if key not in allowed:
                key_line = getattr(self.data, "key_lines", {}).get(key) or line_of(self.data)
                raise YamlError(self.file, key_line, self.said(refusal(
                    "unknown key %(key)r (allowed: %(allowed)s)", key=key,
                    allowed=", ".join(sorted(allowed)))))
        for key in required:
            if key not in self.data:
                self.fail(None, refusal("missing required key %(key)r", key=key))

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    # -- typed reads
    def text(self, key: str, *, pattern: re.Pattern[str] | None = None, max_len: int = 200,
             required: bool = True, hint: str = "", multiline: bool = False) -> str | None:
        """A text value, NFC-normalised; refused when missing (if ``required``), empty,
        longer than ``max_len``, not matching ``pattern`` or holding a character the text
        rule refuses (``controller.content.text_rule``; ``multiline``: TAB, LF and CR are
        allowed)."""
        if not self.has(key):
            if required:
                self.fail(key if key in self.data else None,
                          refusal("%(key)r is required", key=key))
            return None
        value = self.data[key]
        if not isinstance(value, str):
            self.fail(key, refusal("%(key)r must be text, got %(got)s", key=key,
                                   got=describe(value)))
        if not value.strip():
            self.fail(key, refusal("%(key)r must not be empty", key=key))
        if len(value) > max_len:
            self.fail(key, refusal("%(key)r is longer than %(most)d characters", key=key,
                                   most=max_len))
        why = text_refusal(value, multiline)
        if why is not None:
            self.fail(key, refusal("%(key)r %(why)s", key=key, why=why))
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(key, _with_hint(refusal("%(key)r value %(value)r is not valid", key=key,
                                              value=value), hint))
        # NFC: decomposed Vietnamese (e + combining marks) renders with broken marks.
        return unicodedata.normalize("NFC", value)

    def number(self, key: str, *, low: float, high: float) -> float:
        if key not in self.data:
            self.fail(None, refusal("missing required key %(key)r", key=key))
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, refusal("%(key)r must be a number, got %(got)s", key=key,
                                   got=describe(value)))
        if not (low <= value <= high):  # also refuses NaN
            self.fail(key, refusal("%(key)r must be between %(low)s and %(high)s, got "
                                   "%(value)r", key=key, low=format(low, "g"),
                                   high=format(high, "g"), value=value))
        return float(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        if not self.has(key):
            if default is not None and key not in self.data:
                return default
            self.fail(key if key in self.data else None, refusal(
                "%(key)r is required (one of %(choices)s)", key=key, choices=", ".join(choices)))
        value = self.data[key]
        if value not in choices or not isinstance(value, str):
            self.fail(key, refusal("%(key)r must be one of %(choices)s, got %(value)r", key=key,
                                   choices=", ".join(choices), value=value))
        return value

    def mapping(self, key: str, where: str | None = None) -> Fields:
        if key not in self.data:
            self.fail(None, refusal("missing required key %(key)r", key=key))
        return Fields(self.file, self.data[key], where or refusal(
            "%(where)s: %(key)r", where=self.where, key=key), line=line_of(self.data, key))

    def items(self, key: str, *, required: bool = True, non_empty: bool = True,
              ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, value)`` of the list at ``key``."""
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key if key in self.data else None,
                          refusal("%(key)r is required (a list)", key=key))
            return
        value = self.data[key]
        if not isinstance(value, list):
            self.fail(key, refusal("%(key)r must be a list, got %(got)s", key=key,
                                   got=describe(value)))
        if non_empty and not value:
            self.fail(key, refusal("%(key)r must not be an empty list", key=key))
        yield from enumerate(value)

    def text_list(self, key: str, *, pattern: re.Pattern[str] | None = None,
                  required: bool = True, non_empty: bool = True, max_len: int = 64,
                  hint: str = "") -> list[str]:
        """A list of distinct text values."""
        out: list[str] = []
        for i, item in self.items(key, required=required, non_empty=non_empty):
            if not isinstance(item, str):
                self.fail_item(key, i, refusal("%(key)r entries must be text, got %(got)s",
                                               key=key, got=describe(item)))
            if pattern is not None and not pattern.fullmatch(item):
                self.fail_item(key, i, _with_hint(refusal(
                    "%(key)r entry %(value)r is not valid", key=key, value=item), hint))
            if not item.strip() or len(item) > max_len:
                self.fail_item(key, i, refusal("%(key)r entry %(value)r must be "
                                               "1..%(most)d characters", key=key, value=item,
                                               most=max_len))
            if item in out:
                self.fail_item(key, i, refusal("%(key)r lists %(value)r twice", key=key,
                                               value=item))
            out.append(item)
        return out


def config_list(path: Path, key: str, empty: Refusal,
                where: Refusal | None = None) -> Fields:
    """The top level of a config file that holds one list, ``key`` (sites, sources,
    templates, schedules, agencies): read and bounded by :func:`load_yaml`, ``empty`` as
    the refusal of an empty file, nothing but ``key`` allowed. Each file keeps its own
    sentences; this is the reading they share."""
    data = load_yaml(path)
    if data is None:
        raise YamlError(path, None, empty)
    top = Fields(path, data, where if where is not None else refusal("top level"))
    top.only(required=(key,))
    return top


def _with_hint(said: Refusal, hint: str) -> Refusal:
    """``said``, followed by ``: hint`` when there is one."""
    return refusal("%(invalid)s: %(hint)s", invalid=said, hint=hint) if hint else said
