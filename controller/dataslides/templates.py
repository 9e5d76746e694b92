"""Data templates: how a source's records become a table on a slide, declared once in
``config/data_templates.yaml`` (docs/sources.md "Data items") and imported like the
other operator files (``controller.content.yamlfile``: bounded, line numbers in every
refusal). A template names

- the records' **fields** it shows, one column each, with a **label** per language
  (vi and en required; lo and fr, or any configured language, where the screens have
  them);
- a **title** per language ("Chuyến bay đến / Arrivals / ຖ້ຽວບິນມາຮອດ");
- optionally a column's **format**: ``time``, ``date`` or ``datetime`` read an ISO 8601
  time and show it in the site's time zone (``14:05``, ``06/12``, ``14:05 06/12``);
- at most how many rows it shows (``max_rows``) and, optionally, the field the rows are
  sorted by (``sort: scheduled``; ``-scheduled`` for descending; any field of the
  records, shown or not).

The file is validated whole, then replaces the stored set (``data_templates``). A
template is a value (:class:`DataTemplate`, JSON with :meth:`DataTemplate.as_json`): a
data item copies the one it names when its playlist is submitted, so what review
approves is exactly what screens show (docs/review.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from controller.content import ImportReport
from controller.content.sites_import import ID_HINT, ID_RE, label
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.languages import LanguageConfig
from controller.models import DataTemplateRow, utcnow
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.audit import record

REQUIRED = ("vi", "en")
MAX_TEMPLATES = 100
MAX_COLUMNS = 6  # a wider table is unreadable across a hall
MAX_ROWS = 30
MAX_TITLE, MAX_LABEL = 120, 40
FIELD_RE = re.compile(r"^[A-Za-z0-9_@$-]{1,100}(\.[A-Za-z0-9_@$-]{1,100}){0,3}$")
FIELD_HINT = refusal("a record's key, such as flight or from.en")
FORMATS = ("text", "time", "date", "datetime")


@dataclass(frozen=True)
class Column:
    field: str
    labels: tuple[tuple[str, str], ...]  # (language, label), vi and en first
    format: str = "text"  # FORMATS

    def label(self, lang: str) -> str:
        return dict(self.labels).get(lang, "")


@dataclass(frozen=True)
class DataTemplate:
    id: str
    titles: tuple[tuple[str, str], ...]  # (language, title)
    columns: tuple[Column, ...]
    max_rows: int = 10
    sort: str | None = None  # a field
    descending: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    def title(self, lang: str) -> str:
        return dict(self.titles).get(lang, "")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": dict(self.titles),
                "columns": [{"field": c.field, "label": dict(c.labels), "format": c.format}
                            for c in self.columns],
                "max_rows": self.max_rows,
                "sort": (("-" if self.descending else "") + self.sort) if self.sort else None}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DataTemplate:
        sort = doc.get("sort") or None
        return cls(id=str(doc["id"]), titles=tuple(dict(doc["title"]).items()),
                   columns=tuple(Column(str(c["field"]), tuple(dict(c["label"]).items()),
                                        str(c.get("format") or "text"))
                                 for c in doc["columns"]),
                   max_rows=int(doc.get("max_rows") or 10),
                   sort=sort.removeprefix("-") if sort else None,
                   descending=bool(sort and sort.startswith("-")))


def missing_fields(template: DataTemplate, records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The template's fields that no record has (all of them when there are no records
    to tell): what a check against the current snapshot reports."""
    seen: set[str] = set()
    for rec in records:
        seen.update(rec)
    return [name for name in template.fields if name not in seen]


def _per_language(f: Fields, key: str, config: LanguageConfig, max_len: int,
                  ) -> tuple[tuple[str, str], ...]:
    texts = f.mapping(key)
    for code in texts.data:
        reason = config.unknown(str(code))
        if reason:
            texts.fail(code, reason)
    more = tuple(code for code in config.codes if code not in REQUIRED)
    texts.only(required=REQUIRED, optional=more)
    return tuple((code, texts.text(code, max_len=max_len))  # type: ignore[misc]
                 for code in (*REQUIRED, *more) if code in texts.data)


def _template(path: Path, data: Any, index: int, line: int | None,
              config: LanguageConfig) -> DataTemplate:
    f = Fields(path, data, label("template", data, index), line)
    f.only(required=("id", "title", "columns"), optional=("max_rows", "sort"))
    template_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    titles = _per_language(f, "title", config, MAX_TITLE)
    columns: list[Column] = []
    for i, raw in f.items("columns"):
        if i >= MAX_COLUMNS:
            f.fail_item("columns", i, refusal(
                "more than %(most)d columns; a wider table cannot be read across a hall: "
                "split it into two templates", most=MAX_COLUMNS))
        c = Fields(path, raw, refusal("%(where)s: column #%(number)d", where=f.where,
                                      number=i + 1), line_of(f.data["columns"], i))
        c.only(required=("field", "label"), optional=("format",))
        name = c.text("field", pattern=FIELD_RE, max_len=200, hint=FIELD_HINT)
        if name in (col.field for col in columns):
            c.fail("field", refusal("the field %(field)r has a column already", field=name))
        labels = _per_language(c, "label", config, MAX_LABEL)
        columns.append(Column(name, labels, c.choice("format", FORMATS, "text")))  # type: ignore[arg-type]
    max_rows = int(f.number("max_rows", low=1, high=MAX_ROWS)) if "max_rows" in f.data else 10
    sort = f.text("sort", required=False, max_len=201)
    if sort is not None and not FIELD_RE.fullmatch(sort.removeprefix("-")):
        f.fail("sort", refusal("'sort' must name a field of the records (a record's key, "
                               "such as flight or from.en), with '-' in front for "
                               "descending order; got %(value)r", value=sort))
    return DataTemplate(template_id, titles, tuple(columns), max_rows,  # type: ignore[arg-type]
                        sort.removeprefix("-") if sort else None, bool(sort and sort[0] == "-"))


def parse_templates(path: Path, config: LanguageConfig | None = None) -> list[DataTemplate]:
    """Validate the whole file; the templates in order, or YamlError."""
    config = config or LanguageConfig()
    top = config_list(path, "templates", refusal("file is empty (expected 'templates:' "
                                                 "with a list of templates)"))
    out: list[DataTemplate] = []
    seen: dict[str, int | None] = {}
    for i, item in top.items("templates"):
        line = line_of(top.data["templates"], i)
        if i >= MAX_TEMPLATES:
            raise YamlError(path, line, refusal("more than %(most)d templates",
                                                most=MAX_TEMPLATES))
        template = _template(path, item, i, line, config)
        if template.id in seen:
            raise YamlError(path, line, refusal("duplicate template id %(id)r (first on "
                                                "line %(line)s)", id=template.id,
                                                line=seen[template.id]))
        seen[template.id] = line
        out.append(template)
    return out


def import_templates(session: Session, path: Path, languages: LanguageConfig | None = None,
                     actor: Actor | None = None) -> ImportReport:
    """Make the stored templates what ``path`` declares (in ``session``, not committed);
    YamlError, changing nothing, if anything is refused. Items already submitted keep
    the copy they were reviewed with until their playlist is submitted again."""
    path = Path(path)
    templates = parse_templates(path, languages)
    actor = actor or Actor.system()
    report = ImportReport(source=str(path), what="data templates")
    existing = {row.id: row for row in session.scalars(select(DataTemplateRow))}
    for position, template in enumerate(templates):
        doc = template.as_json()
        row = existing.get(template.id)
        if row is None:
            session.add(DataTemplateRow(id=template.id, position=position, spec=doc,
                                        updated_at=utcnow()))
            report.created += 1
        elif row.spec != doc or row.position != position:
            before = row.spec
            row.spec, row.position, row.updated_at = doc, position, utcnow()
            report.updated += 1
            if before != doc:
                record(session, actor, "data_template.declare", "data_template",
                       template.id, before=before, after=doc)
            continue
        else:
            report.unchanged += 1
            continue
        record(session, actor, "data_template.declare", "data_template", template.id,
               after=doc)
    for gone in sorted(set(existing) - {t.id for t in templates}):
        session.execute(delete(DataTemplateRow).where(DataTemplateRow.id == gone))
        record(session, actor, "data_template.remove", "data_template", gone,
               before=existing[gone].spec)
        report.notes.append(f"not in the file, removed: template {gone} (data items that "
                            "name it are refused at their next submission)")
    session.flush()
    return report


def stored_templates(session: Session) -> dict[str, DataTemplate]:
    """The imported templates by id, in the file's order."""
    rows = session.scalars(select(DataTemplateRow).order_by(DataTemplateRow.position))
    return {row.id: DataTemplate.from_json(row.spec) for row in rows}
