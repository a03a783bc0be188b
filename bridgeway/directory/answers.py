"""Services and match answers as plain JSON-ready data, shared by the API and the command."""

from __future__ import annotations

from typing import Any

from bridgeway.directory.models import Service
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
        "name": service.name,
        "organisation": service.organisation.name,
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


def service_as_dict(service: Service) -> dict[str, Any]:
    """A service's public listing; expects the prefetches of ``services_public``."""
    return {
        "id": str(service.id),
        "name": service.name,
        "description": service.description,
        "organisation": {"id": str(service.organisation.id), "name": service.organisation.name},
        "url": service.url,
        "email": service.email,
        "phone": service.phone,
        "status": service.status,
        "independence": service.independence,
        "is_specialist": service.is_specialist,
        "is_national": service.is_national,
        "accepts_out_of_area": service.accepts_out_of_area,
        "self_referral": service.self_referral,
        "third_party_reporting": service.third_party_reporting,
        "lived_experience": service.lived_experience,
        "worker_gender_choice": service.worker_gender_choice,
        "trauma_informed": service.trauma_informed,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "waiting_weeks": service.waiting_weeks,
        "districts": [{"code": d.code, "name": d.name} for d in service.districts.all()],
        "police_force_areas": [
            {"code": p.code, "name": p.name} for p in service.police_force_areas.all()
        ],
        "languages": sorted(t.code for t in service.languages.all()),
        "harm_types": sorted(t.code for t in service.harm_types.all()),
        "ethnic_groups": sorted(t.code for t in service.ethnic_groups.all()),
        "religions": sorted(t.code for t in service.religions.all()),
        "is_synthetic": service.is_synthetic,
    }
