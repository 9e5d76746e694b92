"""Who may read ``/metrics``: a caller with the bearer ``metrics_token``, or one whose
address is in ``metrics_allow`` (default: this machine). Nobody else, players and the
public included.

The address is the one the controller trusts: the peer's, or with ``proxy_count`` the
client's as the trusted proxies relay it. A request that carries ``X-Forwarded-For``
(or ``X-Real-IP``, ``Forwarded``) while no proxy is trusted came through a proxy the
controller does not know about (nginx with ``proxy_count: 0``): its peer address is the
proxy's, so the address rule does not apply to it and only the token opens."""

from __future__ import annotations

import hmac
import ipaddress

from flask import request

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.refusals import refusal
from controller.settings import Settings

# Headers a reverse proxy adds: their presence means the peer is a proxy.
RELAYED = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def _allowed_address(settings: Settings) -> bool:
    if not settings.proxy_count and any(h in request.headers for h in RELAYED):
        return False
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(net, strict=False)
               for net in settings.metrics_allow)


def check_access(settings: Settings) -> None:
    """Return if this request may read the metrics, else raise a 401 or 403."""
    token = bearer_token()
    if token is not None and settings.metrics_token:
        if hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
            return
        raise ApiError(401, refusal("Wrong metrics token: send 'Authorization: Bearer "
                                    "<metrics_token>' with the controller's metrics_token."))
    if _allowed_address(settings):
        return
    if settings.metrics_token:
        raise ApiError(401, refusal("Metrics need a credential: send 'Authorization: "
                                    "Bearer <metrics_token>'."),
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    raise ApiError(403, refusal(
        "Metrics are served only to the addresses in metrics_allow or with the bearer "
        "metrics_token, and this controller has no token; this request came from "
        "%(address)s. See docs/operations.md, section Metrics.",
        address=request.remote_addr or "an unknown address"))
