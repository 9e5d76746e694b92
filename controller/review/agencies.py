"""Contributing agencies: declared in ``config/agencies.yaml`` (imported by
``pano-controller import``) and editable by admins over the API. Exactly one agency is
the lead agency, whose approvers review every agency's playlists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content import ImportReport, apply_values
from controller.content.sites_import import ID_HINT, ID_RE, label
from controller.content.yamlfile import Fields, YamlError, config_list, line_of
from controller.models import Agency, utcnow
from controller.refusals import refusal
from controller.review import ReviewError
from controller.review.actor import Actor
from controller.review.audit import record

MAX_NAME = 200


@dataclass(frozen=True)
class AgencyData:
    id: str
    name_vi: str
    name_en: str
    lead: bool

    def values(self) -> dict[str, Any]:
        return {"name_vi": self.name_vi, "name_en": self.name_en, "lead": self.lead}


def as_dict(agency: Agency) -> dict[str, Any]:
    return {"id": agency.id, "name": {"vi": agency.name_vi, "en": agency.name_en},
            "lead": agency.lead}


def parse_agencies(path: Path) -> list[AgencyData]:
    top = config_list(path, "agencies", refusal("file is empty (expected 'agencies:', a "
                                                "list)"), refusal("agencies file"))
    out: list[AgencyData] = []
    seen: dict[str, int | None] = {}
    for i, entry in top.items("agencies"):
        line = line_of(top.data["agencies"], i)
        f = Fields(path, entry, label("agency", entry, i), line)
        f.only(required=("id", "name"), optional=("lead",))
        agency_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
        names = f.mapping("name")
        names.only(required=("vi", "en"))
        lead = f.data.get("lead", False)
        if not isinstance(lead, bool):
            f.fail("lead", refusal("'lead' must be true or false"))
        if agency_id in seen:
            raise YamlError(path, line, refusal(
                "agency id %(agency)r is used twice (first on line %(first)s)",
                agency=agency_id, first=seen[agency_id]))
        seen[agency_id] = line
        out.append(AgencyData(agency_id, names.text("vi", max_len=MAX_NAME),  # type: ignore[arg-type]
                              names.text("en", max_len=MAX_NAME), lead))  # type: ignore[arg-type]
    leads = [a.id for a in out if a.lead]
    if len(leads) != 1:
        raise YamlError(path, line_of(top.data, "agencies"), refusal(
            "exactly one agency must have 'lead: true' (the one whose approvers review every "
            "agency's playlists); found %(count)d: %(leads)s", count=len(leads),
            leads=", ".join(leads)) if leads else refusal(
            "exactly one agency must have 'lead: true' (the one whose approvers review every "
            "agency's playlists); found %(count)d", count=0))
    return out


def import_agencies(session: Session, path: Path, actor: Actor | None = None) -> ImportReport:
    """Validate ``path`` whole, then create or update its agencies (never delete: an
    agency missing from the file is kept and reported). Not committed."""
    actor = actor or Actor.system()
    parsed = parse_agencies(Path(path))
    report = ImportReport(source=str(path), what="agencies")
    existing = {a.id: a for a in session.execute(select(Agency)).scalars()}
    lead_id = next(a.id for a in parsed if a.lead)
    for agency in existing.values():  # one lead at a time, also for agencies kept
        if agency.lead and agency.id != lead_id:
            _update(session, actor, agency, {"lead": False})
    for data in parsed:
        row = existing.get(data.id)
        if row is None:
            _create(session, actor, data)
            report.created += 1
        elif _update(session, actor, row, data.values()):
            report.updated += 1
        else:
            report.unchanged += 1
    report.kept += [f"agency {aid}" for aid in sorted(set(existing) - {a.id for a in parsed})]
    session.flush()
    return report


def _create(session: Session, actor: Actor, data: AgencyData) -> Agency:
    row = Agency(id=data.id, updated_at=utcnow(), **data.values())
    session.add(row)
    session.flush()
    record(session, actor, "agency.create", "agency", data.id, after=as_dict(row),
           agency_id=data.id)
    return row


def _update(session: Session, actor: Actor, row: Agency, values: dict[str, Any]) -> bool:
    before = as_dict(row)
    changed = apply_values(row, values)
    if changed:
        session.flush()
        record(session, actor, "agency.update", "agency", row.id, before=before,
               after=as_dict(row), agency_id=row.id)
    return changed


def save_agency(session: Session, actor: Actor, data: AgencyData) -> tuple[Agency, bool]:
    """Create or update one agency (the admin API). Making it the lead takes the lead
    from the previous one; the lead cannot be removed without naming another. Returns
    the row and whether it was created."""
    if actor.role not in ("admin", None):
        raise ReviewError(refusal("Only admins may change agencies."), 403)
    row = session.get(Agency, data.id)
    if row is not None and row.lead and not data.lead:
        raise ReviewError(refusal("%(agency)r is the lead agency; make another agency the "
                                  "lead instead (exactly one agency leads).", agency=data.id),
                          409)
    if data.lead:
        for other in session.execute(select(Agency).where(Agency.lead.is_(True),
                                                          Agency.id != data.id)).scalars():
            _update(session, actor, other, {"lead": False})
    if row is None:
        return _create(session, actor, data), True
    _update(session, actor, row, data.values())
    return row, False
