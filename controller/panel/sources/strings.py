"""The texts the Sources page's script shows (``Pano.t``), translated per request (in
Python, so that Jinja does not fill in the ``%(name)s`` placeholders ``Pano.t`` fills)."""

from __future__ import annotations

from flask_babel import gettext as _


def page_strings() -> dict[str, str]:
    return {
        "kind_json": _("JSON"), "kind_csv": _("CSV table"), "kind_rss": _("RSS news"),
        "kind_atom": _("Atom news"), "kind_ical": _("iCalendar events"),
        "kind_cap": _("CAP warnings"),
        "status_ok": _("Working"), "status_error": _("Failing"),
        "status_pending": _("Not fetched yet"), "status_disabled": _("Disabled"),
        "never": _("never"),
        "age_seconds": _("%(n)s s ago"), "age_minutes": _("%(n)s min ago"),
        "age_hours": _("%(n)s h ago"), "age_days": _("%(n)s days ago"),
        "stale": _("Too old: screens show the fallback"),
        "fresh": _("Current: screens show the data"),
        "failures": _("failed %(n)s times in a row"),
        "records": _("%(n)s records"),
        "every": _("every %(t)s"),
        "refresh": _("Fetch now"), "refreshing": _("Fetching…"),
        "refreshed_ok": _("%(name)s: fetched."),
        "refreshed_error": _("%(name)s: the fetch failed; its row says why."),
        "edit": _("Change"), "disable": _("Disable"), "enable": _("Enable"),
        "disable_confirm": _(
            "Disable %(name)s? Its data are kept but no longer fetched: once too old, "
            "screens show the data items' fallback."),
        "disabled_toast": _("%(name)s: disabled, no longer fetched."),
        "enabled_toast": _("%(name)s is enabled: it is fetched at the next poll."),
        "saved_new": _("%(name)s is declared: it is fetched at the next poll."),
        "saved": _("%(name)s is saved."),
        "no_sources": _("No data source is declared yet."),
        "load_failed": _("The sources could not be loaded: %(message)s"),
        "add_title": _("Add a data source"),
        "edit_title": _("Change %(name)s"),
        "need_name": _("Write the name in %(lang)s."),
        "lang_vi": _("Vietnamese"), "lang_en": _("English"),
        "need_field": _("Fill in: %(field)s."),
        "bad_id": _("The id is 2–63 lowercase letters, digits and hyphens."),
        "bad_url": _("The address must start with https:// or http://."),
        "bad_number": _("%(field)s must be a number from %(low)s to %(high)s."),
        "copy_note": _(
            "Write it into config/sources.yaml too: the next import of that file makes the "
            "sources what the file says. The entry:"),
        "last_error_at": _("at %(time)s"),
    }
