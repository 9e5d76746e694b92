"""The texts the Emergency pages' scripts show (``Pano.t``), translated per request.

They are kept in Python, not in the templates, because Jinja's new-style ``_()`` would
fill in the ``%(name)s`` placeholders that ``Pano.t`` fills in the browser."""

from __future__ import annotations

from flask_babel import gettext as _


def page_strings() -> dict[str, str]:
    return {
        "state_active": _("Sent, running"),  # on air only where screens say so: shown_of
        "state_scheduled": _("Scheduled"),
        "state_ended": _("Ended"),
        "state_cancelled": _("Ended early"),
        "status_shown": _("Shown"),
        "status_pending": _("Pending"),
        "status_unreachable": _("Unreachable"),
        "status_missed": _("Missed"),
        "status_shown_help": _("The screen reported showing the message."),
        "status_pending_help": _("Online, has not shown it yet."),
        "status_unreachable_help": _(
            "Offline: it shows the message when it reconnects, if the message is still running."),
        "status_missed_help": _("The message ended before this screen showed it."),
        "screens_one": _("1 screen"),
        "screens_many": _("%(n)s screens"),
        "shown_of": _("shown on %(shown)s/%(total)s screens"),
        "from_to": _("%(start)s – %(end)s"),
        "ended_at": _("ended %(time)s"),
        "by": _("sent by %(name)s"),
        "receipts": _("Receipts"),
        "on_air_now": _("Sent and running:"),
        "never_connected": _(
            "%(n)s of the %(total)s chosen screens have never connected (%(names)s): they "
            "show the message only once they connect, if it is still running."),
        "end_now": _("End now"),
        "end_text": _(
            "“%(title)s” disappears from %(screens)s within seconds. This cannot be "
            "undone; send a new message if needed."),
        "ended_toast": _("The emergency has ended."),
        "no_emergencies": _("No emergency messages yet."),
        "live_on": _("Updating live"),
        "live_off": _("Reconnecting…"),
        "unknown_site": _("Site %(id)s"),
        "more_sites": _("and %(n)s more"),
        "title": _("Title"),
        "body": _("Message"),
        "required": _("required"),
        "chars": _("%(n)s / %(max)s characters"),
        "needed_by": _("needed by %(screens)s"),
        "choose_site": _("Choose at least one site or screen."),
        "choose_screens": _("Choose screens…"),
        "screens_of": _("Screens of %(site)s"),
        "screens_chosen": _("%(n)s of %(total)s chosen"),
        "need_title": _("Write the title in %(lang)s."),
        "too_many_chars": _("Too long: at most %(max)s characters."),
        "need_time": _("Choose the time."),
        "send_to": _("Send to %(screens)s at %(site)s"),
        "send_to_screens": _("Send to %(screens)s at %(site)s: %(names)s"),
        "starts_now": _("Starts now and is shown for %(duration)s, until %(time)s."),
        "starts_at": _("Starts %(start)s and is shown until %(time)s."),
        "minutes": _("%(n)s minutes"),
        "hours": _("%(n)s hours"),
        "one_hour": _("1 hour"),
        "sending": _("Sending…"),
        "sent": _("Emergency message sent. Follow the screens below."),
        "refused": _(
            "Not sent: the controller refused it. Your text is kept; correct it and send again."),
        "too_long": _(
            "The message is too long for these screens. Shorten it and send again; your "
            "text is kept."),
        "server_said": _("The controller said:"),
        "not_found": _("This emergency does not exist."),
    }
