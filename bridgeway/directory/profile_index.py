"""An in-process index of every active service's matching profile, rebuilt when the directory
changes, so matching a person over 50,000 services does not read 50,000 rows each time.

Each process keeps one index. Before use it asks the database for the directory's version
(how many services there are and when one last changed: one query over an index), so a change made by any process, an import included, is seen on the next match.
``matching.py`` stays pure: this module only turns rows into ``ServiceProfile`` values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from bridgeway.directory.matching import Need, ServiceProfile, age_fits
from bridgeway.directory.models import Service
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

# (how many services, the latest updated_at as the database gives it back)
Version = tuple[int, object]

# How many services, per harm asked about, fallback weighs from outside the person's area: a
# few times the most results anyone is shown, and a bound on the work when nothing fits.
FALLBACK_POOL = 200


@dataclass(frozen=True)
class ProfileIndex:
    """Profiles of the active services, and which of them reach each place."""

    version: Version
    profiles: dict[str, ServiceProfile]
    by_district: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_police_force_area: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # National services and those taking people from outside their areas.
    anywhere: tuple[str, ...] = ()
    # Every service in the order fallback weighs them from afar: national, then universal
    # (not specialist) services, then the rest, each by name; and the same per harm handled.
    fallback_order: tuple[str, ...] = ()
    fallback_by_harm: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Names of the districts and police force areas services cover, for the reasons shown.
    place_names: dict[str, str] = field(default_factory=dict)

    def reaching(
        self, district_codes: Iterable[str], pfa_codes: Iterable[str]
    ) -> list[ServiceProfile]:
        """Services that cover one of the places or take people from anywhere."""
        ids = set(self.anywhere)
        for code in district_codes:
            ids.update(self.by_district.get(code, ()))
        for code in pfa_codes:
            ids.update(self.by_police_force_area.get(code, ()))
        return [self.profiles[service_id] for service_id in ids]

    def everything(self) -> list[ServiceProfile]:
        """Every active service's profile."""
        return list(self.profiles.values())

    def fallback_candidates(self, need: Need, *, size: int = FALLBACK_POOL) -> list[ServiceProfile]:
        """The services from anywhere that fallback weighs when none near the person will do.

        Up to ``size`` services taking the person's age for each harm asked about (each harm
        its own share, so a common harm cannot crowd out a rare one), national and universal
        services first; failing those, any that take their age; failing that, the first
        ``size`` listed, so fallback is never empty while any service is. Walks precomputed
        lists and stops once it has enough, instead of weighing the whole directory.
        """
        chosen: dict[str, ServiceProfile] = {}
        for code in need.harm_types:
            self._take(need, self.fallback_by_harm.get(code, ()), size, chosen)
        if not chosen:
            self._take(need, self.fallback_order, size, chosen)
        if not chosen:
            chosen = {key: self.profiles[key] for key in self.fallback_order[:size]}
        return list(chosen.values())

    def _take(
        self, need: Need, ids: Iterable[str], size: int, chosen: dict[str, ServiceProfile]
    ) -> None:
        taken = 0
        for service_id in ids:
            if taken >= size:
                return
            profile = self.profiles[service_id]
            if age_fits(need, profile):
                chosen[service_id] = profile
                taken += 1


def directory_version() -> Version:
    """What changes whenever a service is added, changed or removed (one query).

    Every write of a service saves its row (``updated_at``); removing one, or its
    organisation, changes the count. An organisation's new name reaches the index with its
    services' next change; the pages and the API always show the name from the database.
    Two scalar subqueries rather than one aggregate: each can use an index, the aggregate
    of both reads every row (5 ms at 10,000 services on SQLite, against under 1 ms).
    """
    table = connection.ops.quote_name(Service._meta.db_table)
    updated = connection.ops.quote_name(str(Service._meta.get_field("updated_at").column))
    with connection.cursor() as cursor:
        # Names come from the model, quoted; there are no values.
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table}), (SELECT MAX({updated}) FROM {table})"  # noqa: S608
        )
        count, latest = cursor.fetchone()
    return (int(count), latest)


def _codes(relation: str, ids: set[str], field_name: str) -> dict[str, set[str]]:
    through = Service._meta.get_field(relation).remote_field.through  # type: ignore[union-attr]
    codes: dict[str, set[str]] = {}
    for service_id, code in through.objects.values_list("service_id", field_name):
        key = str(service_id)
        if key in ids:
            codes.setdefault(key, set()).add(code)
    return codes


def _fallback_key(profile: ServiceProfile) -> tuple[int, str, str, str]:
    rank = 0 if profile.is_national else 1 if not profile.is_specialist else 2
    return (rank, profile.name.casefold(), profile.name, profile.id)


def build_index(version: Version) -> ProfileIndex:
    """Read every active service's profile in ten queries, however many there are."""
    rows = list(
        Service.objects.filter(status=Service.Status.ACTIVE, withdrawn_at__isnull=True).values_list(
            "id",
            "name",
            "organisation__name",
            "is_national",
            "accepts_out_of_area",
            "independence",
            "lived_experience",
            "worker_gender_choice",
            "self_referral",
            "minimum_age",
            "maximum_age",
            "waiting_weeks",
            "is_specialist",
            "formats",
            "trauma_informed",
            "restorative_justice",
        )
    )
    ids = {str(row[0]) for row in rows}
    districts = _codes("districts", ids, "localauthoritydistrict_id")
    forces = _codes("police_force_areas", ids, "policeforcearea_id")
    terms = {
        relation: _codes(relation, ids, "term__code")
        for relation in ("languages", "harm_types", "ethnic_groups", "religions")
    }
    empty: frozenset[str] = frozenset()
    profiles: dict[str, ServiceProfile] = {}
    by_district: dict[str, list[str]] = {}
    by_force: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for row in rows:
        key = str(row[0])
        profile = ServiceProfile(
            id=key,
            name=row[1],
            organisation_name=row[2],
            district_codes=frozenset(districts.get(key, empty)),
            pfa_codes=frozenset(forces.get(key, empty)),
            is_national=row[3],
            accepts_out_of_area=row[4],
            languages=frozenset(terms["languages"].get(key, empty)),
            harm_types=frozenset(terms["harm_types"].get(key, empty)),
            ethnic_groups=frozenset(terms["ethnic_groups"].get(key, empty)),
            religions=frozenset(terms["religions"].get(key, empty)),
            independence=row[5],
            lived_experience=row[6],
            worker_gender_choice=row[7],
            self_referral=row[8],
            minimum_age=row[9],
            maximum_age=row[10],
            waiting_weeks=row[11],
            is_specialist=row[12],
            # A list of codes checked on every write (services.py); anything else is ignored.
            formats=frozenset(c for c in row[13] or () if isinstance(c, str)),
            trauma_informed=row[14],
            restorative_justice=row[15],
        )
        profiles[key] = profile
        for code in profile.district_codes:
            by_district.setdefault(code, []).append(key)
        for code in profile.pfa_codes:
            by_force.setdefault(code, []).append(key)
        if profile.is_national or profile.accepts_out_of_area:
            anywhere.append(key)
    ordered = sorted(profiles.values(), key=_fallback_key)
    by_harm: dict[str, list[str]] = {}
    for profile in ordered:
        for code in profile.harm_types:
            by_harm.setdefault(code, []).append(profile.id)
    # Reference data, a few hundred rows: read with the index so results need no more queries.
    place_names = dict(LocalAuthorityDistrict.objects.values_list("code", "name"))
    place_names.update(PoliceForceArea.objects.values_list("code", "name"))
    return ProfileIndex(
        version=version,
        profiles=profiles,
        by_district={code: tuple(keys) for code, keys in by_district.items()},
        by_police_force_area={code: tuple(keys) for code, keys in by_force.items()},
        anywhere=tuple(anywhere),
        fallback_order=tuple(profile.id for profile in ordered),
        fallback_by_harm={code: tuple(keys) for code, keys in by_harm.items()},
        place_names=place_names,
    )


_lock = threading.Lock()
_current: ProfileIndex | None = None


def profile_index(*, refresh: bool = False) -> ProfileIndex:
    """The index for the directory as it is now, rebuilt first if anything has changed
    (or ``refresh`` asks, when a caller found it out of step with the database)."""
    global _current  # one index per process, swapped whole under the lock
    version = directory_version()
    index = _current
    if index is not None and index.version == version and not refresh:
        return index
    with _lock:
        if refresh or _current is None or _current.version != version:
            _current = build_index(version)
        return _current
