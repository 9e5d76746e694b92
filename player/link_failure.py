"""Why a connection to the controller failed, in a few words: for the journal and for
``/status``. Libraries bury the cause: python-socketio raises ``Connection error`` whose
cause (chained underneath) is websocket-client's refused handshake or the socket's
``Connection refused``; requests' messages run to several lines."""

from __future__ import annotations

PHRASES = (("Connection refused", "connection refused"),
           ("Name or service not known", "unknown host"),
           ("timed out", "timed out"),
           ("No route to host", "no route to host"),
           ("Network is unreachable", "network unreachable"))


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of ``exc``'s chain (``raise … from …`` or raised while
    handling another)."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc


def short_reason(exc: BaseException) -> str:
    """One short phrase: ``handshake answered HTTP 400``, ``connection refused``, …"""
    cause = root_cause(exc)
    status = getattr(cause, "status_code", None)  # websocket-client's refused handshake
    if isinstance(status, int):
        return f"handshake answered HTTP {status}"
    for error in (exc, cause):
        text = str(error)
        for needle, phrase in PHRASES:
            if needle in text:
                return phrase
    return (str(cause) or type(cause).__name__)[:200]
