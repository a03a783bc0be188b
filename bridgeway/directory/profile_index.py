"""An in-process index of every active service's matching profile, kept in step with the
database, so matching a person over 50,000 services does not read 50,000 rows each time.

Each process keeps one index, built once. Before each use it reads the directory's version
stamp (one row by primary key, ``directory.stamps``); when another process (or this one) has
changed listings since, it reads only the listings stamped after the index's version and
patches a copy of the index with them (decision 0096). So a change made through any app
server, an import included, is in the next match everywhere, and no request pays for
reading the whole directory again unless most of it changed.
``matching.py`` stays pure: this module only turns rows into ``ServiceProfile`` values.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db import DatabaseError, connections
from django.db.models import QuerySet

from bridgeway.directory.matching import COST_NOT_STATED, Need, ServiceProfile, age_fits, cost_of
from bridgeway.directory.models import CostOption, RemovedService, Service
from bridgeway.directory.stamps import CHUNK, MATCHED_RELATIONS, directory_stamp
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea

logger = logging.getLogger(__name__)

# The directory's version stamp the index reflects (``DirectoryStamp.version``).
Version = int
# Changes by service id: its new profile, or None when it is no longer offered.
Changes = Mapping[str, ServiceProfile | None]

# How many services, per harm asked about, fallback weighs from outside the person's area: a
# few times the most results anyone is shown, and a bound on the work when nothing fits.
FALLBACK_POOL = 200
# Past this share of the directory (and this many listings) changed at once, a refresh reads
# the whole directory instead: patching costs more per listing than reading it all.
REBUILD_SHARE = 0.25
REBUILD_AT_LEAST = 1000


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
        found = dict(self.anywhere_profiles)
        profiles = self.profiles
        for code in district_codes:
            found.update((key, profiles[key]) for key in self.by_district.get(code, ()))
        for code in pfa_codes:
            found.update((key, profiles[key]) for key in self.by_police_force_area.get(code, ()))
        return list(found.values())

    @cached_property
    def anywhere_profiles(self) -> dict[str, ServiceProfile]:
        """The profiles of ``anywhere``, copied whole into every answer's candidates."""
        return {key: self.profiles[key] for key in self.anywhere}

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

    def patched(self, version: Version, changes: Changes) -> ProfileIndex:
        """A copy with ``changes`` applied: only the lists the changed services were or are
        in are copied, so one change costs well under a millisecond's work per thousand
        services, against a whole rebuild. Threads reading this index are not disturbed."""
        profiles = dict(self.profiles)
        before = {key: profiles.pop(key, None) for key in changes}
        for key, profile in changes.items():
            if profile is not None:
                profiles[key] = profile
        changed = [p for p in (*before.values(), *changes.values()) if p is not None]

        def codes(of: Callable[[ServiceProfile], Iterable[str]]) -> set[str]:
            return {code for profile in changed for code in of(profile)}

        in_order = lambda key: _fallback_key(profiles[key])  # noqa: E731 - used three times
        by_harm = dict(self.fallback_by_harm)
        for code in codes(lambda p: p.harm_types):
            by_harm[code] = _resorted(by_harm.get(code, ()), changes, code, in_order)
        return replace(
            self,
            version=version,
            profiles=profiles,
            by_district=_relisted(self.by_district, changes, codes(_districts), _districts),
            by_police_force_area=_relisted(
                self.by_police_force_area, changes, codes(_forces), _forces
            ),
            anywhere=tuple(
                [key for key in self.anywhere if key not in changes]
                + [key for key, p in changes.items() if p is not None and _from_anywhere(p)]
            ),
            fallback_order=_resorted(self.fallback_order, changes, None, in_order),
            fallback_by_harm={code: keys for code, keys in by_harm.items() if keys},
        )


def _from_anywhere(profile: ServiceProfile) -> bool:
    return profile.is_national or profile.accepts_out_of_area


def _districts(profile: ServiceProfile) -> frozenset[str]:
    return profile.district_codes


def _forces(profile: ServiceProfile) -> frozenset[str]:
    return profile.pfa_codes


def _relisted(
    lists: dict[str, tuple[str, ...]],
    changes: Changes,
    touched: set[str],
    places: Callable[[ServiceProfile], frozenset[str]],
) -> dict[str, tuple[str, ...]]:
    """``lists`` (services by place) with the changed services moved to their new places;
    ``touched`` are the places they were or are in."""
    relisted = dict(lists)
    for code in touched:
        keys = [key for key in lists.get(code, ()) if key not in changes]
        keys.extend(
            key
            for key, profile in changes.items()
            if profile is not None and code in places(profile)
        )
        if keys:
            relisted[code] = tuple(keys)
        else:
            relisted.pop(code, None)
    return relisted


def _resorted(
    keys: tuple[str, ...],
    changes: Changes,
    harm: str | None,
    in_order: Callable[[str], tuple[int, str, str, str]],
) -> tuple[str, ...]:
    """A fallback list without the changed services, then each put back in its place."""
    kept = [key for key in keys if key not in changes]
    for key, profile in changes.items():
        if profile is not None and (harm is None or harm in profile.harm_types):
            bisect.insort(kept, key, key=in_order)
    return tuple(kept)


def _codes(relation: str, ids: set[str] | None) -> dict[str, set[str]]:
    """Each service's codes in a matched relation: of every service (``ids`` None), or of
    the few given, read by id."""
    field_name = {
        "districts": "localauthoritydistrict_id",
        "police_force_areas": "policeforcearea_id",
    }.get(relation, "term__code")
    through = Service._meta.get_field(relation).remote_field.through  # type: ignore[union-attr]
    codes: dict[str, set[str]] = {}
    if ids is None:
        pairs: Iterable[tuple[object, str]] = through.objects.values_list("service_id", field_name)
    else:
        wanted = sorted(ids)
        pairs = (
            pair
            for start in range(0, len(wanted), CHUNK)
            for pair in through.objects.filter(
                service_id__in=wanted[start : start + CHUNK]
            ).values_list("service_id", field_name)
        )
    for service_id, code in pairs:
        codes.setdefault(str(service_id), set()).add(code)
    return codes


def _costs(ids: set[str] | None) -> dict[str, str]:
    """What each service's cost options say it costs (``matching.cost_of``): of every
    service (``ids`` None), or of the few given, read by id. Only listings with cost options
    are in it: one without says nothing of cost."""
    columns = ("service_id", "amount", "option", "amount_description")
    if ids is None:
        rows: Iterable[tuple[object, object, str, str]] = CostOption.objects.values_list(*columns)
    else:
        wanted = sorted(ids)
        rows = (
            row
            for start in range(0, len(wanted), CHUNK)
            for row in CostOption.objects.filter(
                service_id__in=wanted[start : start + CHUNK]
            ).values_list(*columns)
        )
    options: dict[str, list[tuple[float | None, str]]] = {}
    for service_id, amount, option, description in rows:
        options.setdefault(str(service_id), []).append(
            (None if amount is None else float(amount), f"{option} {description}")  # type: ignore[arg-type]
        )
    return {key: cost_of(found) for key, found in options.items()}


def _fallback_key(profile: ServiceProfile) -> tuple[int, str, str, str]:
    rank = 0 if profile.is_national else 1 if not profile.is_specialist else 2
    return (rank, profile.name.casefold(), profile.name, profile.id)


_COLUMNS = (
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
    "status",
    "withdrawn_at",
)


def _profiles(services: QuerySet[Service], *, every: bool) -> dict[str, ServiceProfile | None]:
    """The profile of each service read (None for one not active), with its codes: of every
    service in the relations when ``every``, else of these services only."""
    rows = list(services.values_list(*_COLUMNS))
    # A listing gone from its feed is kept for its cases but out of every result (0075).
    active = {str(row[0]) for row in rows if row[16] == Service.Status.ACTIVE and row[17] is None}
    wanted = None if every else active
    relations = {relation: _codes(relation, wanted) for relation in MATCHED_RELATIONS}
    costs = _costs(wanted)
    empty: frozenset[str] = frozenset()
    profiles: dict[str, ServiceProfile | None] = {}
    for row in rows:
        key = str(row[0])
        if key not in active:
            profiles[key] = None
            continue

        def codes(relation: str, key: str = key) -> frozenset[str]:
            return frozenset(relations[relation].get(key, empty))

        profiles[key] = ServiceProfile(
            id=key,
            name=row[1],
            organisation_name=row[2],
            district_codes=codes("districts"),
            pfa_codes=codes("police_force_areas"),
            is_national=row[3],
            accepts_out_of_area=row[4],
            languages=codes("languages"),
            harm_types=codes("harm_types"),
            ethnic_groups=codes("ethnic_groups"),
            religions=codes("religions"),
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
            cost=costs.get(key, COST_NOT_STATED),
        )
    return profiles


def build_index(version: Version) -> ProfileIndex:
    """Read every active service's profile in ten queries, however many there are.

    ``version`` is the stamp read before reading: a change committed meanwhile is read
    again by the next refresh, which is harmless, rather than missed.
    """
    read = _profiles(
        Service.objects.filter(status=Service.Status.ACTIVE, withdrawn_at__isnull=True), every=True
    )
    profiles = {key: profile for key, profile in read.items() if profile is not None}
    by_district: dict[str, list[str]] = {}
    by_force: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for key, profile in profiles.items():
        for code in profile.district_codes:
            by_district.setdefault(code, []).append(key)
        for code in profile.pfa_codes:
            by_force.setdefault(code, []).append(key)
        if _from_anywhere(profile):
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


def index_refreshed(index: ProfileIndex, version: Version) -> ProfileIndex:
    """``index`` brought up to ``version`` by reading only the listings stamped after it
    (and those deleted since): two queries and one per matched relation, by id."""
    changes = _profiles(Service.objects.filter(stamp__gt=index.version), every=False)
    for service_id in RemovedService.objects.filter(stamp__gt=index.version).values_list(
        "service_id", flat=True
    ):
        changes.setdefault(str(service_id), None)
    if len(changes) > max(REBUILD_AT_LEAST, REBUILD_SHARE * len(index.profiles)):
        # Most of the directory changed (a whole import): reading it all is as cheap.
        return build_index(version)
    return index.patched(version, changes)


_lock = threading.Lock()
_current: ProfileIndex | None = None


def profile_index(*, rebuild: bool = False) -> ProfileIndex:
    """The index for the directory as it is now: the one this process holds when the
    directory's version is unchanged, patched with the listings changed since when not,
    built whole the first time (or when ``rebuild`` asks, or the version went backwards,
    as when a database is restored)."""
    global _current  # one index per process, swapped whole under the lock
    version = directory_stamp()
    index = _current
    if index is not None and index.version == version and not rebuild:
        return index
    with _lock:
        # Read again under the lock: another thread may have caught up meanwhile.
        version = directory_stamp()
        index = _current
        if rebuild or index is None or version < index.version:
            index = build_index(version)
        elif version > index.version:
            index = index_refreshed(index, version)
        _current = index
        return index


def profile_index_warm() -> threading.Thread:
    """Read the whole index in a background thread, so a new worker's first match need not
    (``bridgeway serve`` calls it as each worker starts; a match meanwhile waits for it)."""

    def warm() -> None:
        try:
            profile_index()
        except DatabaseError:
            # Not migrated yet, or the database is away: the first match reads it instead.
            logger.warning("the matching index could not be read ahead", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=warm, name="matching-index-warm", daemon=True)
    thread.start()
    return thread


def profile_index_forget() -> None:
    """Drop this process's index (tests, whose databases roll back underneath it)."""
    global _current
    with _lock:
        _current = None
