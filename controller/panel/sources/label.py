"""The Sources page's name in the navigation (here so its Vietnamese is in this area's
catalogue; ``controller.panel.nav`` imports it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SOURCES_LABEL = _l("Data sources")
