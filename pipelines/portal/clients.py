"""The address a request came from, as the sign-in lockout counts it.

Behind a reverse proxy every request reaches gunicorn from the proxy's address, so
django-axes would lock everyone out after five failures by one person. With
`EVSTATS_TRUSTED_PROXIES=N` (the number of proxies in front of the portal, each of
which appends the address it was reached from to `X-Forwarded-For`) the client is
the N-th address from the right of that header: the ones further left were sent by
the client itself and prove nothing. Off (0) by default, when the header is ignored:
a client talking to gunicorn directly could otherwise name any address it likes.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: `REMOTE_ADDR`, or with trusted proxies the address they
    forwarded; `REMOTE_ADDR` again when the header is shorter than the proxies or its
    entry is not an address (the request did not come through them)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies: int = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
