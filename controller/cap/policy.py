"""Each site's CAP policy: how strong an official warning must be before Pano prepares
an emergency for the site, and whether the strongest may go out at once.

Declared per site in ``config/sites.yaml`` (a ``cap:`` block beside the site's
``location``; docs/cap.md says why there), stored on the site by the sites import, read
here. One declaration: :data:`FIELDS` drives the YAML check and the docs table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from controller.cap.message import CERTAINTIES, SEVERITIES, URGENCIES, Info
from controller.content.yamlfile import Fields
from controller.refusals import Refusal, refusal

FIELDS = {"min_severity": SEVERITIES, "min_urgency": URGENCIES,
          "min_certainty": CERTAINTIES}


@dataclass(frozen=True)
class CapPolicy:
    """Defaults: a draft for Severe or Extreme, Expected or Immediate, Likely or Observed
    alerts; nothing goes out without a person."""

    min_severity: str = "Severe"
    min_urgency: str = "Expected"
    min_certainty: str = "Likely"
    # Extreme + Immediate alerts (that pass the minimums) become an emergency at once,
    # in the languages the alert carries, when those include Pano's required ones.
    send_at_once: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> CapPolicy:
        """The policy stored on a site (None: the defaults)."""
        if not stored:
            return cls()
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def refusal_for(self, info: Info) -> Refusal | None:
        """None when ``info`` is strong enough for this site, else why not."""
        for name, values in FIELDS.items():
            value = getattr(info, name.removeprefix("min_"))
            minimum = getattr(self, name)
            if values.index(value) < values.index(minimum):
                return refusal("%(field)s %(value)s is below the site's minimum %(minimum)s",
                               field=name.removeprefix("min_"), value=value,
                               minimum=minimum)
        return None

    def at_once(self, info: Info) -> bool:
        return (self.send_at_once and info.severity == "Extreme"
                and info.urgency == "Immediate" and self.refusal_for(info) is None)


def parse_policy(site: Fields) -> dict[str, Any] | None:
    """The ``cap:`` block of a site in config/sites.yaml, checked (None when absent)."""
    if not site.has("cap"):
        return None
    block = site.mapping("cap")
    block.only(optional=(*FIELDS, "send_at_once"))
    values: dict[str, Any] = {name: block.choice(name, allowed,
                                                 default=getattr(CapPolicy, name))
                              for name, allowed in FIELDS.items()}
    at_once = block.data.get("send_at_once", False)
    if not isinstance(at_once, bool):
        block.fail("send_at_once", refusal("'send_at_once' must be true or false"))
    values["send_at_once"] = at_once
    return CapPolicy(**values).to_json()
