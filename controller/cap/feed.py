"""What the data-sources layer calls with a ``kind: cap`` source's bytes:
:func:`ingest_feed`. Reads the feed (:mod:`controller.cap.parse`), skips the alerts it
has seen (sender, identifier and sent: CAP's identity of a message, so a feed polled
again changes nothing), and acts on each new one:

- ``Alert``: a plan (:mod:`controller.cap.plan`) becomes a waiting draft, or an
  emergency at once where the sites' policy allows it;
- ``Update``: the drafts of the alerts it references are updated in place; a broadcast
  already running keeps running until the updated text is sent (at once, or by a
  person), which then ends it: screens are never left blank by an update;
- ``Cancel``: waiting drafts are cancelled, running broadcasts end.

Alerts are acted on in the order they were sent (a feed listing the newest first
still has its Alert before the Update and the Cancel that follow it). Alerts an entry
only links to come in ``linked`` (fetched by the poller beforehand,
:mod:`controller.cap.linked`) and are read and acted on like embedded ones; a link not
fetched is counted in the status, one that failed or is not an alert is a refusal.
Only ``status`` Actual is acted on. Every new alert is recorded and audited with its
outcome. Writes in the caller's session; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.cap.drafts import SENT, WAITING, apply_plan, cancel_draft, running, source_actor
from controller.cap.linked import LinkedDoc
from controller.cap.message import Alert
from controller.cap.parse import CapRefused, FeedContents, read_alert, read_feed
from controller.cap.plan import live_infos, make_plan
from controller.languages import LanguageConfig
from controller.models import CapAlertSeen, EmergencyDraft, Site
from controller.qr.allowlist import allowed_domains
from controller.refusals import Refusal, refusal
from controller.review.audit import record
from controller.settings import Settings


@dataclass
class IngestResult:
    """What one reading of a feed did; ``str()`` is the source's status sentence."""

    source_id: str
    error: Refusal | None = None  # the whole feed was refused
    read: int = 0
    seen: int = 0
    drafts: list[int] = field(default_factory=list)  # made or changed
    sent: list[int] = field(default_factory=list)  # emergencies sent at once
    cancelled: int = 0
    ignored: int = 0
    refused: list[Refusal] = field(default_factory=list)
    linked: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def __str__(self) -> str:
        if self.error is not None:
            return str(refusal("CAP feed refused: %(why)s", why=self.error))
        said = (refusal("%(count)d alert(s) read", count=self.read),
                refusal("%(count)d already seen", count=self.seen),
                refusal("%(count)d draft(s) made or updated", count=len(self.drafts)),
                refusal("%(count)d sent at once", count=len(self.sent)),
                refusal("%(count)d draft(s) or broadcast(s) ended", count=self.cancelled),
                refusal("%(count)d not acted on", count=self.ignored),
                refusal("%(count)d linked alert(s) not fetched", count=self.linked))
        counts = (1, self.seen, self.drafts, self.sent, self.cancelled, self.ignored,
                  self.linked)
        parts = [part for part, count in zip(said, counts, strict=True) if count]
        sentence = refusal("CAP feed: %(parts)s.", parts=", ".join(parts))
        if self.refused:
            sentence = refusal("%(sentence)s %(count)d refused: %(first)s",
                               sentence=sentence, count=len(self.refused),
                               first=self.refused[0])
        return str(sentence)


def language_codes(settings: Settings | None = None) -> tuple[str, ...]:
    """Pano's languages: ``settings``', else the running app's, else the defaults."""
    from flask import current_app, has_app_context

    if settings is not None:
        return settings.language_config.codes
    if has_app_context():
        pano = current_app.extensions.get("pano")
        if pano is not None:
            return pano.settings.language_config.codes
    return LanguageConfig().codes


def ingest_feed(session: Session, source_id: str, body: bytes, now: datetime, *,
                settings: Settings | None = None,
                linked: Sequence[LinkedDoc] = ()) -> IngestResult:
    """Read ``body`` (a CAP document or feed of source ``source_id``) and act on its
    new alerts; see the module docstring. Never raises for bad input: a feed that is
    not CAP comes back as ``result.error``. ``settings`` (optional) give the languages
    and the QR allowlist when called outside a request (the poller); without them the
    running app's, else the defaults. ``linked``: the documents the feed's entries
    link to, as fetched (:func:`controller.cap.linked.fetch_linked`)."""
    if settings is None:
        return _ingest(session, source_id, body, now, None, linked)
    with allowed_domains(settings.qr_allowed_domains):
        return _ingest(session, source_id, body, now, settings, linked)


def _with_linked(contents: FeedContents, linked: Sequence[LinkedDoc], codes: tuple[str, ...],
                 result: IngestResult) -> list[Alert]:
    """The feed's alerts and its linked ones, in the order they were sent."""
    alerts = list(contents.alerts)
    docs = {doc.url: doc for doc in linked}
    for link in contents.links:
        doc = docs.get(link.url)
        if doc is None:
            result.linked += 1
        elif doc.body is None:
            result.refused.append(doc.error or refusal("linked alert %(url)s: %(why)s",
                                                       url=link.url[:200], why="?"))
        else:
            try:
                alerts.append(read_alert(doc.body, codes))
            except CapRefused as exc:
                result.refused.append(refusal("linked alert %(url)s: %(why)s",
                                              url=link.url[:200], why=exc.args[0]))
    return sorted(alerts, key=lambda alert: alert.sent)


def _ingest(session: Session, source_id: str, body: bytes, now: datetime,
            settings: Settings | None, linked: Sequence[LinkedDoc]) -> IngestResult:
    now = now.astimezone(UTC)
    result = IngestResult(source_id)
    codes = language_codes(settings)
    try:
        contents = read_feed(body, codes)
    except CapRefused as exc:
        result.error = exc.args[0]
        return result
    result.refused, result.linked = list(contents.refused), contents.linked
    sites = list(session.scalars(select(Site).order_by(Site.id)))
    for alert in _with_linked(contents, linked, codes, result):
        result.read += 1
        if session.scalar(select(CapAlertSeen.id).where(CapAlertSeen.key == alert.key)):
            result.seen += 1
            continue
        outcome, drafts = _act(session, source_id, alert, sites, now, result)
        if alert.msg_type == "Update" and drafts:
            _follow(session, alert, [d.id for d in drafts])
        seen = CapAlertSeen(key=alert.key, source_id=source_id[:64],
                            msg_type=alert.msg_type, outcome=str(outcome)[:1000],
                            draft_ids=[d.id for d in drafts], received_at=now)
        session.add(seen)
        session.flush()
        record(session, source_actor(source_id), "cap_alert.receive", "cap_alert", seen.id,
               after={"alert": alert.key, "msg_type": alert.msg_type,
                      "status": alert.status, "drafts": seen.draft_ids}, note=outcome)
    session.flush()
    return result


def _referenced(session: Session, alert: Alert) -> list[EmergencyDraft]:
    if not alert.references:
        return []
    ids: list[int] = []
    for row in session.scalars(select(CapAlertSeen)
                               .where(CapAlertSeen.key.in_(alert.references))):
        ids += [i for i in row.draft_ids or () if i not in ids]
    return [d for d in (session.get(EmergencyDraft, i) for i in ids) if d is not None]


def _follow(session: Session, alert: Alert, draft_ids: list[int]) -> None:
    """The alerts an Update references now lead to its drafts too: a later Cancel or
    Update naming only the first message still finds every draft of the thread."""
    for row in session.scalars(select(CapAlertSeen)
                               .where(CapAlertSeen.key.in_(alert.references))):
        row.draft_ids = list(dict.fromkeys([*(row.draft_ids or ()), *draft_ids]))


def _act(session: Session, source_id: str, alert: Alert, sites: list[Site], now: datetime,
         result: IngestResult) -> tuple[Refusal, list[EmergencyDraft]]:
    what = refusal("alert %(identifier)r", identifier=alert.identifier[:80])
    if alert.status != "Actual":
        result.ignored += 1
        return refusal("%(what)s: status %(status)s is not acted on (only Actual)",
                       what=what, status=alert.status), []
    if alert.msg_type not in ("Alert", "Update", "Cancel"):
        result.ignored += 1
        return refusal("%(what)s: msgType %(type)s is not acted on", what=what,
                       type=alert.msg_type), []
    earlier = _referenced(session, alert)
    if alert.msg_type == "Cancel":
        actor = source_actor(source_id)
        ended = [d for d in earlier if d.status == WAITING
                 or (d.status == SENT and running(session, d.emergency_id, now))]
        for draft in ended:
            cancel_draft(session, draft, actor, now,
                         refusal("cancelled by the feed (%(what)s)", what=what))
        result.cancelled += len(ended)
        if not ended:
            result.ignored += 1
        return refusal("%(what)s: cancel ended %(count)d drafts or broadcasts", what=what,
                       count=len(ended)), ended
    if not live_infos(alert, now):
        expired = alert.expires()
        why = refusal("%(what)s expired at %(at)s", what=what,
                      at=expired.isoformat() if expired else "?")
        result.refused.append(why)
        return why, []
    plan = make_plan(alert, sites, now)
    waiting = [d for d in earlier if d.status == WAITING]
    # The broadcasts the plan supersedes: those of the alerts it updates, and those a
    # waiting draft of them was already to replace.
    ids = [d.emergency_id for d in earlier if d.status == SENT]
    ids += [i for d in waiting for i in d.replaces or ()]
    replaces = [e for e in (running(session, i, now) for i in dict.fromkeys(ids))
                if e is not None]
    if not plan.sites and not earlier:
        result.ignored += 1
        notes = "; ".join(plan.notes)
        return (refusal("%(what)s covers no site that acts on it (%(notes)s)", what=what,
                        notes=notes) if notes else
                refusal("%(what)s covers no site", what=what)), []
    touched = apply_plan(session, plan, alert.key, source_id, now,
                         reuse=waiting[0] if waiting else None, replaces=replaces)
    for extra in waiting[1:]:
        cancel_draft(session, extra, source_actor(source_id), now,
                     refusal("merged into draft %(number)s by an update",
                             number=touched[0].id if touched else "?"))
        touched.append(extra)
    result.drafts += [d.id for d in touched if d.status == WAITING]
    result.sent += [d.emergency_id for d in touched
                    if d.status == SENT and d.emergency_id is not None]
    if not plan.sites:
        result.cancelled += len(touched) + len(replaces)
    return refusal("%(what)s: %(type)s for %(sites)s", what=what, type=alert.msg_type,
                   sites=", ".join(plan.sites) or "no site"), touched
