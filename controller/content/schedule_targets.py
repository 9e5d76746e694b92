"""Which sites a schedule reaches: its target sites, the sites of its target screens and
the sites of the screens having one of its target tags. Permissions (an editor limited
to some sites) and the API's ``?site=`` filter both ask this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Screen


class SiteReach:
    """The screens of the database read once; ``of(targets)`` for each schedule."""

    def __init__(self, session: Session) -> None:
        self._screens = [(row.id, row.site_id, frozenset(row.tags or ()))
                         for row in session.execute(select(Screen.id, Screen.site_id,
                                                           Screen.tags))]

    def of(self, targets: Mapping[str, Any] | None) -> set[str]:
        targets = targets or {}
        sites = set(targets.get("sites") or ())
        screens = set(targets.get("screens") or ())
        tags = set(targets.get("tags") or ())
        for screen_id, site_id, screen_tags in self._screens:
            if screen_id in screens or tags & screen_tags:
                sites.add(site_id)
        return sites


def sites_reached(session: Session, targets: Mapping[str, Any] | None) -> set[str]:
    return SiteReach(session).of(targets)
