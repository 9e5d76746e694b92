"""Import agencies, sites, playlists and schedules together, in the order they refer
to each other, in the caller's transaction: what ``pano-controller import`` and
``make run`` (``controller.demo``) both do."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from controller.content import ImportReport
from controller.content.playlists_write import import_playlists
from controller.content.schedules_import import import_schedules
from controller.content.sites_import import import_sites
from controller.media.store import MediaStore
from controller.review.actor import Actor
from controller.review.agencies import import_agencies
from controller.settings import Settings


def import_content(session: Session, settings: Settings, *, agencies: Path | None = None,
                   sites: Path | None = None, playlists: Path | None = None,
                   schedules: Path | None = None, media_dir: Path | None = None,
                   approve: bool = True, actor: Actor | None = None,
                   sources: Path | None = None,
                   templates: Path | None = None,
                   layouts: Path | None = None) -> list[ImportReport]:
    """Import what is given (None: skip that part) and return one report per part.
    Raises YamlError (or ReviewError) and writes nothing if anything is refused (the
    caller rolls back). ``media_dir``: where playlists' ``media:`` files are (default
    media_source_dir). ``approve``: playlists go on air at once (the operator's
    bootstrap; docs/review.md) or become drafts for review. ``sources`` and
    ``templates`` (docs/sources.md) come first: the playlists' data items name them;
    ``layouts`` (docs/zones.md) before the sites, whose screens name them, and their
    tickers' playlists are checked once the playlists are in."""
    actor = actor or Actor.system()
    reports: list[ImportReport] = []
    if sources is not None:
        from controller.sources.declarations import import_sources

        reports.append(import_sources(session, Path(sources), settings.source_allowed_domains,
                                      settings.language_config, actor))
    if templates is not None:
        from controller.dataslides.templates import import_templates

        reports.append(import_templates(session, Path(templates), settings.language_config,
                                        actor))
    if agencies is not None:
        reports.append(import_agencies(session, Path(agencies), actor))
    if layouts is not None:
        from controller.zones.declarations import import_layouts

        reports.append(import_layouts(session, Path(layouts)))
    if sites is not None:
        reports.append(import_sites(session, Path(sites), settings.language_config))
    if playlists is not None:
        reports.append(import_playlists(session, Path(playlists), MediaStore(settings.media_dir),
                                        Path(media_dir or settings.media_source_dir),
                                        settings.language_config, approve=approve,
                                        actor=actor, draw_slides=True))
    if schedules is not None:
        # After sites and playlists, which the schedules name. Each part bumps the
        # change log with what it touched (the schedules' own ids here).
        reports.append(import_schedules(session, Path(schedules), actor=actor))
    if layouts is not None:
        from controller.zones.checks import check_tickers

        check_tickers(session, Path(layouts))  # a ticker text too long refuses it all
    return reports
