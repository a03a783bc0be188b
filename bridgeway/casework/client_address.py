"""Moved to ``bridgeway/throttles/client_address.py``; kept so old imports still work."""

from __future__ import annotations

from bridgeway.throttles.client_address import client_address

__all__ = ["client_address"]
