"""Services and match answers as plain JSON-ready data, shared by the API and the command."""

from __future__ import annotations

from typing import Any

from bridgeway.directory.public_text import plain_text
from bridgeway.directory.selectors import MatchAnswer, MatchedService
from bridgeway.places.selectors import ResolvedLocation


def location_as_dict(location: ResolvedLocation) -> dict[str, Any]:
    """Where the person's postcode resolved to, main district first."""
    return {
        "query": str(location.query),
        "district": {"code": location.district.code, "name": location.district.name},
        "districts": [{"code": d.code, "name": d.name} for d in location.districts],
        "police_force_area": {
            "code": location.police_force_area.code,
            "name": location.police_force_area.name,
        },
    }


def matched_service_as_dict(matched: MatchedService) -> dict[str, Any]:
    """One result in the shape of the match API's answer."""
    service = matched.service
    return {
        "service_id": str(service.id),
        # Plain text on the way out, as in the feed: the database may hold older values.
        "name": plain_text(service.name),
        "organisation": plain_text(service.organisation.name),
        "score": matched.score,
        "reasons": matched.reasons,
        "cautions": matched.cautions,
        "covers_area": matched.covers_area,
        "independence": service.independence,
    }


def answer_as_dict(answer: MatchAnswer) -> dict[str, Any]:
    """The whole match answer, as ``POST /api/v1/match`` returns it."""
    return {
        "location": location_as_dict(answer.location),
        "results": [matched_service_as_dict(m) for m in answer.results],
        "fallback": [matched_service_as_dict(m) for m in answer.fallback],
    }
