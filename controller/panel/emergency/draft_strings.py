"""The texts of the CAP drafts section of the Emergency page (``Pano.t``): drafts made
from official warnings (docs/cap.md), completed and sent by a person. Kept apart from
``strings.py`` so the section's words are in one place; merged into the page's."""

from __future__ import annotations

from flask_babel import gettext as _


def draft_strings() -> dict[str, str]:
    return {
        "cap_none": _("No official warning waits for you."),
        "cap_load_failed": _("The official warnings could not be loaded: %(message)s"),
        "cap_status_waiting": _("Waiting for you"),
        "cap_status_sent": _("Sent to screens"),
        "cap_status_dismissed": _("Dismissed"),
        "cap_status_cancelled": _("Cancelled by the agency"),
        "cap_updated": _("Updated by the agency at %(time)s"),
        "cap_replaces": _("Update of a warning on air: sending it ends %(list)s"),
        "cap_from": _("From the feed %(source)s, received %(time)s"),
        "cap_severity": _("How severe"),
        "cap_urgency": _("Urgency"),
        "cap_certainty": _("Certainty"),
        "cap_expires": _("Expires"),
        "cap_area": _("Area (sites covered)"),
        "cap_note": _("Note"),
        "cap_link": _("Link shown as a QR code"),
        "cap_missing": _("Missing: write it"),
        "cap_from_alert": _("From the warning"),
        "cap_missing_list": _("Languages still missing: %(langs)s"),
        "cap_send": _("Send to the screens"),
        "cap_dismiss": _("Dismiss"),
        "cap_dismiss_confirm": _("Dismiss this warning? It will not be sent to any screen."),
        "cap_sent_toast": _("The warning was sent. Follow the screens below."),
        "cap_dismissed_toast": _("The warning was dismissed."),
        "cap_refused": _("Not sent: %(message)s"),
        "cap_need_all": _("Write the title in every missing language: %(langs)s."),
        "cap_open_emergency": _("Open its receipts"),
        "cap_expired": _("This warning has expired: dismiss it."),
        "sev_Extreme": _("Extreme"),
        "sev_Severe": _("Severe"),
        "sev_Moderate": _("Moderate"),
        "sev_Minor": _("Minor"),
        "sev_Unknown": _("Unknown"),
        "urg_Immediate": _("Immediate"),
        "urg_Expected": _("Expected soon"),
        "urg_Future": _("In the future"),
        "urg_Past": _("Past"),
        "urg_Unknown": _("Unknown"),
        "cer_Observed": _("Observed"),
        "cer_Likely": _("Likely"),
        "cer_Possible": _("Possible"),
        "cer_Unlikely": _("Unlikely"),
        "cer_Unknown": _("Unknown"),
    }
