"""Who may read what in the reports (docs/reports.md, "Who sees what").

Every signed-in role reads reports: the figures are the province's accountability, not
a secret, and technicians need availability as much as editors need airtime. Editors and
approvers of an agency other than the lead one read their own agency's content only (the
filter ``agency`` is set for them; asking for another agency is refused); screen
availability, emergencies and chain findings concern the screens, not an agency's
content, and are the same for everyone."""

from __future__ import annotations

from controller.auth.users import ROLES
from controller.refusals import refusal
from controller.reports.filters import ReportQuery, ReportRefused
from controller.review.actor import Actor

READERS = ROLES
AGENCY_SCOPED = ("editor", "approver")


class ReportForbidden(ReportRefused):
    """Refused because of who asks (403), not what was asked."""


def own_agency(actor: Actor) -> str | None:
    """The agency ``actor`` is limited to, or None for every agency."""
    if actor.role in AGENCY_SCOPED and not actor.lead_agency:
        return actor.agency_id or ""
    return None


def scope(query: ReportQuery, actor: Actor) -> ReportQuery:
    """``query`` limited to what ``actor`` may read (ReportForbidden if it asks more)."""
    agency = own_agency(actor)
    if agency is None:
        return query
    asked = query.filters.get("agency")
    if asked is not None and asked != agency:
        own = refusal("agency %(agency)r", agency=agency) if agency else \
            refusal("no agency")
        raise ReportForbidden(refusal("%(person)s reads the reports of %(own)s only (editors "
                                      "and approvers of the lead agency read every "
                                      "agency's).", person=actor.name, own=own))
    query.filters["agency"] = agency
    return query
