"""Matching a person's needs to services: hard limits, ranking and plain reasons.

Pure Python with no Django, so the rules can be property-tested and benchmarked alone. The
Django layer (``selectors.py``) turns services into ``ServiceProfile`` values and the codes of
``Reason`` into translated sentences (``reasons.py``).

The rules, in the order they weigh:

1. Hard limits. An inactive service is never offered (the caller passes only active ones). A
   service is not a result when it neither covers the person's area (one of its districts or
   police force areas, or it is national) nor accepts people from out of area; when it handles
   none of the harms asked about; or when its age range excludes the person.
2. Where it is: covering the area counts most, then taking people from a neighbouring
   district, then taking people from anywhere.
3. Speaking the person's languages, then handling every harm asked about.
4. Serving the person's own community (ethnic group or religion), when they ask for that.
5. Lived experience, a choice of worker gender, self-referral, trauma-informed practice and
   the formats asked for (spoken word or audio, video, British Sign Language, easy read,
   interpreters), when asked for. Formats weigh as one preference however many are asked
   for (the share of them offered), so asking for three cannot outweigh one's community.
   Restorative justice is said where it is offered but never weighed: it is a choice for
   later, not a need at first contact. A service that arranges interpreters says so against
   a language no worker speaks, without scoring as if it spoke it.
6. A person who asked for free services only never sees one whose listing gives a price; a
   listing that says nothing of cost stays, with a caution, since most listings (Bridgeway's
   own among them) say nothing (decision 0133).
7. A person who wants a service independent of the police never sees a police-linked service
   above one that is not: that is a sort key before the score, not a weight, because trust is
   decided at first contact and one police-linked listing at the top can end the search.

A person who gives only a postcode district (``BD3``) may be in any local authority district it
touches. ``Need.district_shares`` give the chance of each (``bridgeway.places.shares``), and
a service covering some of them scores what it would expect to: full marks for the share it
covers, and for the rest what it would score for someone from a neighbouring district. So a
service covering the district where nearly all of the outcode lies ranks above one covering
a sliver of it (decision 0132). A full postcode is one district, wholly.

Weights are spaced so each rule outweighs the ones after it on its own; together, later rules
can overcome an earlier one (a neighbouring service in the person's language beats an
in-area one without it), which is what people tell us they want.

Same needs give the same order: ties are broken by name and then id, never by input order.

``rank`` and ``fallback`` weigh every service with its reasons and sort them all: they are the
reference. ``rank_top`` and ``fallback_top`` give the same first ``limit`` matches, scoring
with numbers only, keeping the best few with a heap and wording reasons for those alone
(decision 0095); the tests hold them to the reference.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from bridgeway.places.shares import share_covered

# Codes of independence.csv that are not run independently of the police.
POLICE_LINKED = "police_linked"
INDEPENDENT_OF_POLICE = frozenset({"independent", "commissioned"})
# A listing whose source did not say (docs/decisions/0077): never taken as independent.
UNKNOWN_INDEPENDENCE = "unknown"
# The format code of a service that arranges interpreters for other languages.
INTERPRETERS = "interpreters"
# What a listing says it costs (``ServiceProfile.cost``), from its cost options.
FREE = "free"
CHARGES = "charges"
COST_NOT_STATED = "not_stated"
# Below this share of a postcode district covered, the result says most of it is outside.
MOSTLY_OUTSIDE = 0.5

# Score weights (see the module docstring for why they are spaced like this).
WEIGHT_COVERS_AREA = 50.0
WEIGHT_NEIGHBOURING = 30.0
WEIGHT_ANYWHERE = 10.0
WEIGHT_LANGUAGE = 24.0
WEIGHT_HARM = 16.0
WEIGHT_SAME_COMMUNITY = 12.0
WEIGHT_INDEPENDENT = 8.0
WEIGHT_PREFERENCE = 6.0
# A waiting list only separates services that are otherwise close; it never hides one.
WAITING_PENALTY_PER_WEEK = 0.5
WAITING_PENALTY_CAP = 5.0


class Area(IntEnum):
    """How a service reaches the person's area, best first."""

    COVERS = 0
    NEIGHBOURING = 1
    ANYWHERE = 2
    NOT_REACHED = 3


@dataclass(frozen=True)
class Preferences:
    """What the person would like, beyond the hard limits. All optional."""

    independent_of_police: bool = False
    same_community: bool = False
    # A code of sexes.csv ("female", "male"): the person would like a worker of that gender.
    worker_gender: str | None = None
    lived_experience: bool = False
    self_referral: bool = False
    trauma_informed: bool = False
    # Codes of ``bridgeway.directory.formats`` the person would like support in, in order.
    formats: tuple[str, ...] = ()
    # Free services only: a service whose listing gives a price is never a result.
    free_only: bool = False


@dataclass(frozen=True)
class Need:
    """What a person asked for, already resolved to places and checked against the vocabulary.

    ``district_codes`` are the districts the person's postcode touches, main one first;
    ``pfa_codes`` their police force areas. For a postcode district, ``district_shares`` are
    the chance the person is in each district (summing to 1) and ``district_pfa_codes`` each
    one's police force area, both in the order of ``district_codes``; without shares, every
    district counts whole. ``hate_strands`` are carried for the fuller
    matching spec (strand-specific services) and do not yet change the ranking.
    """

    district_codes: tuple[str, ...]
    pfa_codes: tuple[str, ...]
    harm_types: tuple[str, ...] = ()
    hate_strands: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    age: int | None = None
    ethnic_group: str | None = None
    religion: str | None = None
    preferences: Preferences = field(default_factory=Preferences)
    district_shares: tuple[float, ...] = ()
    district_pfa_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceProfile:
    """What matching needs to know about one active service, as plain data."""

    id: str
    name: str
    organisation_name: str
    district_codes: frozenset[str] = frozenset()
    pfa_codes: frozenset[str] = frozenset()
    is_national: bool = False
    accepts_out_of_area: bool = False
    languages: frozenset[str] = frozenset()
    harm_types: frozenset[str] = frozenset()
    ethnic_groups: frozenset[str] = frozenset()
    religions: frozenset[str] = frozenset()
    independence: str = "independent"
    lived_experience: bool = False
    worker_gender_choice: bool = False
    self_referral: bool = True
    minimum_age: int | None = None
    maximum_age: int | None = None
    waiting_weeks: int | None = None
    is_specialist: bool = False
    # Codes of ``bridgeway.directory.formats``.
    formats: frozenset[str] = frozenset()
    trauma_informed: bool = False
    restorative_justice: bool = False
    # FREE, CHARGES or COST_NOT_STATED (``cost_of``).
    cost: str = COST_NOT_STATED


_SAYS_FREE = re.compile(r"\b(free|no charge|no cost)\b", re.IGNORECASE)


def cost_of(options: Iterable[tuple[float | None, str]]) -> str:
    """What a listing's cost options, as ``(amount, words)``, say it costs.

    CHARGES when any gives an amount above 0; FREE when each gives 0 or says it is free (no
    amount, "Free"); COST_NOT_STATED when there are none, or one gives neither.
    """
    options = list(options)
    if not options:
        return COST_NOT_STATED
    if any(amount is not None and amount > 0 for amount, _ in options):
        return CHARGES
    if all(amount == 0 or _SAYS_FREE.search(words) for amount, words in options):
        return FREE
    return COST_NOT_STATED


@dataclass(frozen=True)
class Reason:
    """A reason or caution as a code and its parameters; the web layer words it."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Reason:
        return cls(code, tuple(sorted((key, str(value)) for key, value in params.items())))

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)


# Reasons without parameters, made once: ranking adds several to each of thousands of services.
_FIXED: dict[str, Reason] = {
    "accepts_out_of_area": Reason("accepts_out_of_area"),
    "age_outside_range": Reason("age_outside_range"),
    "charges": Reason("charges"),
    "cost_not_stated": Reason("cost_not_stated"),
    "free_of_charge": Reason("free_of_charge"),
    "mostly_outside_area": Reason("mostly_outside_area"),
    "independence_unknown": Reason("independence_unknown"),
    "independent_of_police": Reason("independent_of_police"),
    "lived_experience": Reason("lived_experience"),
    "national": Reason("national"),
    "no_self_referral": Reason("no_self_referral"),
    "no_waiting_list": Reason("no_waiting_list"),
    "not_trauma_informed": Reason("not_trauma_informed"),
    "outside_area": Reason("outside_area"),
    "police_linked": Reason("police_linked"),
    "restorative_justice": Reason("restorative_justice"),
    "self_referral": Reason("self_referral"),
    "trauma_informed": Reason("trauma_informed"),
}


@dataclass(frozen=True)
class Match:
    """One service offered for a need, with why it fits and what to know first."""

    service_id: str
    name: str
    score: float
    reasons: list[Reason]
    cautions: list[Reason]
    covers_area: bool
    area: Area


@dataclass(frozen=True)
class Answer:
    """The ranked results and, when nothing fits, fallback options."""

    results: list[Match]
    fallback: list[Match]


def area_of(
    need: Need, profile: ServiceProfile, neighbours: Collection[str]
) -> tuple[Area, Reason | None]:
    """How the service reaches the person, with the reason to show."""
    if profile.is_national:
        return Area.COVERS, _FIXED["national"]
    for code in need.district_codes:
        if code in profile.district_codes:
            return Area.COVERS, Reason.of("covers_district", district=code)
    for code in need.pfa_codes:
        if code in profile.pfa_codes:
            return Area.COVERS, Reason.of("covers_police_force_area", police_force_area=code)
    if not profile.accepts_out_of_area:
        return Area.NOT_REACHED, None
    nearby = sorted(profile.district_codes & frozenset(neighbours))
    if nearby:
        return Area.NEIGHBOURING, Reason.of("neighbouring_district", district=nearby[0])
    return Area.ANYWHERE, _FIXED["accepts_out_of_area"]


def age_fits(need: Need, profile: ServiceProfile) -> bool:
    """Whether the person's age (when given) is inside the service's range."""
    if need.age is None:
        return True
    if profile.minimum_age is not None and need.age < profile.minimum_age:
        return False
    return not (profile.maximum_age is not None and need.age > profile.maximum_age)


def covered_share(need: Need, profile: ServiceProfile) -> float:
    """The chance the service covers where the person is: 1.0 for a full postcode (or a
    need without shares) it covers, the covered districts' share of a postcode district."""
    shares = need.district_shares
    if profile.is_national or len(shares) < 2:
        return 1.0
    forces = need.district_pfa_codes
    if not forces and not profile.pfa_codes.isdisjoint(need.pfa_codes):
        return 1.0  # no force per district given: the force covers them all
    districts, pfas = profile.district_codes, profile.pfa_codes
    covered = [
        i
        for i, code in enumerate(need.district_codes)
        if code in districts or (forces and forces[i] in pfas)
    ]
    return share_covered(shares, covered)


def area_points(need: Need, profile: ServiceProfile, area: Area) -> float:
    """What reaching the person's area scores: for a service covering part of a postcode
    district, full marks for the share it covers and, for the rest, what a service taking
    people from a neighbouring district scores (nothing if it takes no one from outside)."""
    points = _AREA_SCORES[area]
    if area is not Area.COVERS or len(need.district_shares) < 2:
        return points
    share = covered_share(need, profile)
    if share >= 1.0:
        return points
    rest = WEIGHT_NEIGHBOURING if profile.accepts_out_of_area else 0.0
    return WEIGHT_COVERS_AREA * share + rest * (1.0 - share)


@dataclass
class _Tally:
    """The score, reasons and cautions of one service as the rules add to them."""

    score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    cautions: list[Reason] = field(default_factory=list)


def _languages_and_harms(
    need: Need, profile: ServiceProfile, tally: _Tally, *, fallback: bool
) -> None:
    if need.languages:
        spoken = [code for code in need.languages if code in profile.languages]
        tally.reasons.extend(Reason.of("speaks_language", language=code) for code in spoken)
        tally.score += WEIGHT_LANGUAGE * len(spoken) / len(need.languages)
        # A service that arranges interpreters may still help in a language no worker speaks.
        missing = (
            "language_by_interpreter" if INTERPRETERS in profile.formats else "language_not_listed"
        )
        tally.cautions.extend(
            Reason.of(missing, language=code)
            for code in need.languages
            if code not in profile.languages
        )
    if need.harm_types:
        handled = [code for code in need.harm_types if code in profile.harm_types]
        tally.reasons.extend(Reason.of("handles_harm", harm=code) for code in handled)
        tally.score += WEIGHT_HARM * len(handled) / len(need.harm_types)
        if fallback and not handled:
            tally.cautions.append(Reason.of("harm_not_listed", harm=need.harm_types[0]))


def _community_and_independence(need: Need, profile: ServiceProfile, tally: _Tally) -> None:
    prefs = need.preferences
    serves_community = False
    if need.ethnic_group and need.ethnic_group in profile.ethnic_groups:
        tally.reasons.append(Reason.of("serves_ethnic_group", ethnic_group=need.ethnic_group))
        serves_community = True
    if need.religion and need.religion in profile.religions:
        tally.reasons.append(Reason.of("serves_religion", religion=need.religion))
        serves_community = True
    if prefs.same_community and serves_community:
        tally.score += WEIGHT_SAME_COMMUNITY
    if profile.independence in INDEPENDENT_OF_POLICE:
        tally.reasons.append(_FIXED["independent_of_police"])
        if prefs.independent_of_police:
            tally.score += WEIGHT_INDEPENDENT
    elif profile.independence == POLICE_LINKED and prefs.independent_of_police:
        tally.cautions.append(_FIXED["police_linked"])
    elif profile.independence == UNKNOWN_INDEPENDENCE and prefs.independent_of_police:
        tally.cautions.append(_FIXED["independence_unknown"])


def _ways_of_working(need: Need, profile: ServiceProfile, tally: _Tally) -> None:
    prefs = need.preferences
    if profile.lived_experience:
        tally.reasons.append(_FIXED["lived_experience"])
        if prefs.lived_experience:
            tally.score += WEIGHT_PREFERENCE
    if prefs.worker_gender:
        if profile.worker_gender_choice:
            tally.reasons.append(Reason.of("worker_gender_choice", gender=prefs.worker_gender))
            tally.score += WEIGHT_PREFERENCE
        else:
            tally.cautions.append(Reason.of("no_worker_gender_choice", gender=prefs.worker_gender))
    if profile.self_referral:
        tally.reasons.append(_FIXED["self_referral"])
        if prefs.self_referral:
            tally.score += WEIGHT_PREFERENCE
    elif prefs.self_referral:
        tally.cautions.append(_FIXED["no_self_referral"])


def _practice_and_formats(need: Need, profile: ServiceProfile, tally: _Tally) -> None:
    prefs = need.preferences
    if profile.trauma_informed:
        tally.reasons.append(_FIXED["trauma_informed"])
        if prefs.trauma_informed:
            tally.score += WEIGHT_PREFERENCE
    elif prefs.trauma_informed:
        tally.cautions.append(_FIXED["not_trauma_informed"])
    if prefs.formats:
        offered = [code for code in prefs.formats if code in profile.formats]
        tally.reasons.extend(Reason.of("offers_format", format=code) for code in offered)
        tally.score += WEIGHT_PREFERENCE * len(offered) / len(prefs.formats)
        tally.cautions.extend(
            Reason.of("format_not_listed", format=code)
            for code in prefs.formats
            if code not in profile.formats
        )
    if profile.restorative_justice:
        # Shown, never weighed: it is a choice for later, not a need at first contact.
        tally.reasons.append(_FIXED["restorative_justice"])


def _age_and_waiting(need: Need, profile: ServiceProfile, tally: _Tally) -> None:
    has_range = profile.minimum_age is not None or profile.maximum_age is not None
    if need.age is not None and has_range:
        if age_fits(need, profile):
            tally.reasons.append(
                Reason.of(
                    "age_range",
                    minimum="" if profile.minimum_age is None else profile.minimum_age,
                    maximum="" if profile.maximum_age is None else profile.maximum_age,
                )
            )
        else:
            tally.cautions.append(_FIXED["age_outside_range"])
    if profile.waiting_weeks:
        tally.cautions.append(Reason.of("waiting_time", weeks=profile.waiting_weeks))
        tally.score -= min(WAITING_PENALTY_PER_WEEK * profile.waiting_weeks, WAITING_PENALTY_CAP)
    elif profile.waiting_weeks == 0:
        tally.reasons.append(_FIXED["no_waiting_list"])


def _cost(need: Need, profile: ServiceProfile, tally: _Tally) -> None:
    if profile.cost == FREE:
        tally.reasons.append(_FIXED["free_of_charge"])
    elif need.preferences.free_only:
        # Only fallback offers one that charges, and only when nothing else is listed.
        tally.cautions.append(_FIXED["charges" if profile.cost == CHARGES else "cost_not_stated"])


def _evaluate(
    need: Need, profile: ServiceProfile, neighbours: Collection[str], *, fallback: bool
) -> Match:
    """Score one service and gather its reasons and cautions (hard limits are checked apart)."""
    tally = _Tally()
    area, area_reason = area_of(need, profile, neighbours)
    tally.score = area_points(need, profile, area)
    if area_reason is not None:
        tally.reasons.append(area_reason)
    if area is Area.NOT_REACHED:
        tally.cautions.append(_FIXED["outside_area"])
    elif (
        area is Area.COVERS
        and len(need.district_shares) > 1
        and covered_share(need, profile) < MOSTLY_OUTSIDE
    ):
        tally.cautions.append(_FIXED["mostly_outside_area"])
    _cost(need, profile, tally)
    _languages_and_harms(need, profile, tally, fallback=fallback)
    _community_and_independence(need, profile, tally)
    _ways_of_working(need, profile, tally)
    prefs = need.preferences
    if (
        profile.trauma_informed
        or profile.restorative_justice
        or prefs.trauma_informed
        or prefs.formats
    ):
        _practice_and_formats(need, profile, tally)
    _age_and_waiting(need, profile, tally)
    return Match(
        service_id=profile.id,
        name=profile.name,
        score=round(tally.score, 2),
        reasons=tally.reasons,
        cautions=tally.cautions,
        covers_area=area is Area.COVERS,
        area=area,
    )


def passes_hard_limits(need: Need, profile: ServiceProfile, neighbours: Collection[str]) -> bool:
    """Whether the service may be a result at all for this need."""
    if area_of(need, profile, neighbours)[0] is Area.NOT_REACHED:
        return False
    if need.harm_types and not (profile.harm_types & frozenset(need.harm_types)):
        return False
    if need.preferences.free_only and profile.cost == CHARGES:
        return False
    return age_fits(need, profile)


_INDEPENDENCE_TIER = {UNKNOWN_INDEPENDENCE: 1, POLICE_LINKED: 2}


def _order(
    need: Need, matches: Iterable[Match], profiles: Mapping[str, ServiceProfile]
) -> list[Match]:
    def key(match: Match) -> tuple[int, float, str, str, str]:
        # Asked for independence: independent first, unknown next, police-linked last.
        tier = 0
        if need.preferences.independent_of_police:
            tier = _INDEPENDENCE_TIER.get(profiles[match.service_id].independence, 0)
        return (tier, -match.score, match.name.casefold(), match.name, match.service_id)

    return sorted(matches, key=key)


def rank(
    need: Need, profiles: Iterable[ServiceProfile], *, neighbours: Collection[str]
) -> list[Match]:
    """Every service that fits the need, best first.

    ``neighbours`` are the codes of districts bordering the person's districts.
    """
    candidates = {profile.id: profile for profile in profiles}
    matches = (
        _evaluate(need, profile, neighbours, fallback=False)
        for profile in candidates.values()
        if passes_hard_limits(need, profile, neighbours)
    )
    return _order(need, matches, candidates)


def is_broad_option(need: Need, profile: ServiceProfile, neighbours: Collection[str]) -> bool:
    """A national or universal service that reaches the person and takes their age.

    These are fallback's first choice, and they always reach the person, so a caller holding
    only the services that reach the person can tell whether it needs the whole directory.
    """
    if not (profile.is_national or not profile.is_specialist):
        return False
    return area_of(need, profile, neighbours)[0] is not Area.NOT_REACHED and age_fits(need, profile)


def fallback(
    need: Need, profiles: Iterable[ServiceProfile], *, neighbours: Collection[str]
) -> list[Match]:
    """The best options when nothing fits: never empty while any service is listed.

    First national or universal services that reach the person and take their age, whatever
    the harm; failing those, any service that takes their age; failing that, any service at
    all. Each carries cautions saying where it falls short, so nobody is misled.
    """
    candidates = {profile.id: profile for profile in profiles}
    pool = _free_first(need, candidates.values())
    tiers = (
        [p for p in pool if is_broad_option(need, p, neighbours)],
        [p for p in pool if age_fits(need, p)],
        pool,
    )
    for tier in tiers:
        if tier:
            matches = (_evaluate(need, p, neighbours, fallback=True) for p in tier)
            return _order(need, matches, candidates)
    return []


def _free_first(need: Need, profiles: Iterable[ServiceProfile]) -> list[ServiceProfile]:
    """Fallback's pool: for free services only, those not giving a price, unless every
    service listed gives one (fallback is never empty while any service is listed)."""
    every = list(profiles)
    if not need.preferences.free_only:
        return every
    return [p for p in every if p.cost != CHARGES] or every


def reach(need: Need, profile: ServiceProfile, neighbours: Collection[str]) -> Area:
    """``area_of`` without the reason: how the service reaches the person, as a number."""
    if profile.is_national:
        return Area.COVERS
    districts = profile.district_codes
    for code in need.district_codes:
        if code in districts:
            return Area.COVERS
    for code in need.pfa_codes:
        if code in profile.pfa_codes:
            return Area.COVERS
    if not profile.accepts_out_of_area:
        return Area.NOT_REACHED
    if not districts.isdisjoint(neighbours):
        return Area.NEIGHBOURING
    return Area.ANYWHERE


_AREA_SCORES = {
    Area.COVERS: WEIGHT_COVERS_AREA,
    Area.NEIGHBOURING: WEIGHT_NEIGHBOURING,
    Area.ANYWHERE: WEIGHT_ANYWHERE,
    Area.NOT_REACHED: 0.0,
}


def score(need: Need, profile: ServiceProfile, area: Area) -> float:
    """The score ``_evaluate`` gives, with no reasons built.

    The same additions in the same order as the rules above (floating point sums depend on
    order), so the rounded score is identical, which the tests check on random directories.
    """
    prefs = need.preferences
    total = area_points(need, profile, area)
    if need.languages:
        spoken = sum(1 for code in need.languages if code in profile.languages)
        total += WEIGHT_LANGUAGE * spoken / len(need.languages)
    if need.harm_types:
        handled = sum(1 for code in need.harm_types if code in profile.harm_types)
        total += WEIGHT_HARM * handled / len(need.harm_types)
    if prefs.same_community and (
        (need.ethnic_group and need.ethnic_group in profile.ethnic_groups)
        or (need.religion and need.religion in profile.religions)
    ):
        total += WEIGHT_SAME_COMMUNITY
    if prefs.independent_of_police and profile.independence in INDEPENDENT_OF_POLICE:
        total += WEIGHT_INDEPENDENT
    if prefs.lived_experience and profile.lived_experience:
        total += WEIGHT_PREFERENCE
    if prefs.worker_gender and profile.worker_gender_choice:
        total += WEIGHT_PREFERENCE
    if prefs.self_referral and profile.self_referral:
        total += WEIGHT_PREFERENCE
    if prefs.trauma_informed and profile.trauma_informed:
        total += WEIGHT_PREFERENCE
    if prefs.formats:
        offered = sum(1 for code in prefs.formats if code in profile.formats)
        total += WEIGHT_PREFERENCE * offered / len(prefs.formats)
    if profile.waiting_weeks:
        total -= min(WAITING_PENALTY_PER_WEEK * profile.waiting_weeks, WAITING_PENALTY_CAP)
    return round(total, 2)


# (independence tier when asked: independent, unknown, police-linked; minus the score): the
# first half of ``_order``'s key.
_Head = tuple[int, float]


def _head(need: Need, profile: ServiceProfile, area: Area) -> _Head:
    tier = 0
    if need.preferences.independent_of_police:
        tier = _INDEPENDENCE_TIER.get(profile.independence, 0)
    return (tier, -score(need, profile, area))


def _best(
    need: Need,
    scored: list[tuple[_Head, ServiceProfile]],
    neighbours: Collection[str],
    *,
    limit: int,
    fallback: bool,
) -> list[Match]:
    """The first ``limit`` by ``_order``'s key, reasons worded for those alone.

    The heap finds the ``limit``-th best head (independence tier, score); only services at
    or above it can be shown, and only those are sorted by the whole key (name, then id).
    """
    if len(scored) > limit:
        cut = heapq.nsmallest(limit, (head for head, _ in scored))[-1]
        scored = [pair for pair in scored if pair[0] <= cut]

    def key(pair: tuple[_Head, ServiceProfile]) -> tuple[int, float, str, str, str]:
        (tier, minus_score), profile = pair
        return (tier, minus_score, profile.name.casefold(), profile.name, profile.id)

    chosen = sorted(scored, key=key)[:limit]
    return [_evaluate(need, profile, neighbours, fallback=fallback) for _, profile in chosen]


def rank_top(
    need: Need, profiles: Iterable[ServiceProfile], *, neighbours: Collection[str], limit: int
) -> list[Match]:
    """``rank(...)[:limit]``, weighing each service with numbers only and wording reasons
    and cautions for the ``limit`` shown (decision 0095)."""
    candidates = {profile.id: profile for profile in profiles}
    harms = frozenset(need.harm_types)
    free_only = need.preferences.free_only
    scored: list[tuple[_Head, ServiceProfile]] = []
    # The hard limits, cheapest first: they only filter, so their order changes nothing.
    for profile in candidates.values():
        if harms and harms.isdisjoint(profile.harm_types):
            continue
        if free_only and profile.cost == CHARGES:
            continue
        if need.age is not None and not age_fits(need, profile):
            continue
        area = reach(need, profile, neighbours)
        if area is not Area.NOT_REACHED:
            scored.append((_head(need, profile, area), profile))
    return _best(need, scored, neighbours, limit=limit, fallback=False)


def _broad(need: Need, profile: ServiceProfile, neighbours: Collection[str]) -> bool:
    if not (profile.is_national or not profile.is_specialist):
        return False
    return reach(need, profile, neighbours) is not Area.NOT_REACHED and age_fits(need, profile)


def fallback_top(
    need: Need, profiles: Iterable[ServiceProfile], *, neighbours: Collection[str], limit: int
) -> list[Match]:
    """``fallback(...)[:limit]``, weighing with numbers only (see ``rank_top``)."""
    candidates = {profile.id: profile for profile in profiles}
    pool = _free_first(need, candidates.values())
    tiers = (
        [p for p in pool if _broad(need, p, neighbours)],
        [p for p in pool if age_fits(need, p)],
        pool,
    )
    for tier in tiers:
        if tier:
            scored = [(_head(need, p, reach(need, p, neighbours)), p) for p in tier]
            return _best(need, scored, neighbours, limit=limit, fallback=True)
    return []


def answer(
    need: Need,
    profiles: Iterable[ServiceProfile],
    *,
    neighbours: Collection[str],
    limit: int,
    fallback_profiles: Iterable[ServiceProfile] | None = None,
) -> Answer:
    """Ranked results (at most ``limit``), and fallback options only when there are none.

    ``fallback_profiles`` lets the caller load the wider directory only when it is needed;
    by default the same profiles are used.
    """
    profiles = list(profiles)
    results = rank_top(need, profiles, neighbours=neighbours, limit=limit)
    if results:
        return Answer(results=results, fallback=[])
    wider = profiles if fallback_profiles is None else list(fallback_profiles)
    return Answer(
        results=[], fallback=fallback_top(need, wider, neighbours=neighbours, limit=limit)
    )
