"""The client a request came from, honouring the proxies Bridgeway is told to trust."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from bridgeway.throttles.client_address import client_address


def client_of(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    right-most address in X-Forwarded-For that no trusted proxy wrote (IPv6 by its /64)."""
    return client_address(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.TRUSTED_PROXY_COUNT,
    )
