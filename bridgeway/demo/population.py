"""Who the demo's synthetic people are and what happens to their referrals.

Plain Python with no Django, so the sampling can be property-tested alone. Everything is
drawn from a caller's ``random.Random``: the same seed gives the same people.

The shape follows the evidence of a policy forum of commissioners, police, the Ministry of
Justice and grassroots organisations on victims' services for minority communities: people
from minority ethnic groups are *less* likely to reach a service at all (awareness and trust,
fewer police referrals) but *more* likely to take support up once it is offered. Ethnic mix
starts from each area's census 2021 population and is bent by those propensities, so the
insight pages have real gaps to find.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

# Relative chance, per resident, that someone of a group reaches a victims' service in a
# year (white British = 1). Lower for groups the briefing says are reached least.
REFERRAL_PROPENSITY: dict[str, float] = {
    "white_british": 1.0,
    "white_irish": 0.9,
    "white_other": 0.6,
    "white_gypsy_irish_traveller": 0.35,
    "white_roma": 0.3,
    "asian_pakistani": 0.6,
    "asian_bangladeshi": 0.55,
    "asian_indian": 0.6,
    "asian_chinese": 0.4,
    "asian_other": 0.55,
    "black_african": 0.65,
    "black_caribbean": 0.75,
    "black_other": 0.7,
    "mixed_white_asian": 0.8,
    "mixed_white_black_african": 0.8,
    "mixed_white_black_caribbean": 0.85,
    "mixed_other": 0.8,
    "other_arab": 0.5,
    "other_any": 0.5,
}

# Chance that someone offered support accepts it. Higher for minority groups: "once
# offered, take up is much higher" (briefing, section 5).
TAKE_UP_WHEN_OFFERED: dict[str, float] = {
    "white_british": 0.56,
    "white_irish": 0.58,
    "white_other": 0.66,
    "white_gypsy_irish_traveller": 0.7,
    "white_roma": 0.7,
    "asian_pakistani": 0.76,
    "asian_bangladeshi": 0.77,
    "asian_indian": 0.74,
    "asian_chinese": 0.7,
    "asian_other": 0.74,
    "black_african": 0.76,
    "black_caribbean": 0.73,
    "black_other": 0.74,
    "mixed_white_asian": 0.68,
    "mixed_white_black_african": 0.7,
    "mixed_white_black_caribbean": 0.7,
    "mixed_other": 0.68,
    "other_arab": 0.75,
    "other_any": 0.72,
}
DEFAULT_TAKE_UP = 0.6

# How often an answer is missing, and which kind of missing (kept apart, as insight must).
MISSING_ETHNICITY = {"not_asked": 0.06, "prefer_not_to_say": 0.025, "not_recorded": 0.035}
# Police referrals arrive with ethnicity unrecorded more often.
MISSING_ETHNICITY_POLICE = {"not_asked": 0.05, "prefer_not_to_say": 0.02, "not_recorded": 0.09}

AGE_BANDS = {
    "under_18": 0.09,
    "18_24": 0.15,
    "25_34": 0.22,
    "35_44": 0.19,
    "45_54": 0.14,
    "55_64": 0.1,
    "65_plus": 0.08,
    "not_asked": 0.02,
    "prefer_not_to_say": 0.01,
}
SEXES = {"female": 0.6, "male": 0.38, "prefer_not_to_say": 0.01, "not_asked": 0.01}
SEXUAL_ORIENTATIONS = {
    "straight": 0.58,
    "gay_lesbian": 0.035,
    "bisexual": 0.035,
    "other": 0.01,
    "not_asked": 0.3,
    "prefer_not_to_say": 0.04,
}
DISABILITY_STATUS = {
    "recorded": 0.74,
    "not_asked": 0.2,
    "prefer_not_to_say": 0.04,
    "not_recorded": 0.02,
}
# Among people whose answer is recorded: the chance of each condition.
DISABILITY_RATES = {
    "mental_health": 0.14,
    "physical": 0.06,
    "long_term_illness": 0.06,
    "learning_disability": 0.03,
    "autism": 0.025,
    "deaf_hearing": 0.015,
    "sight": 0.01,
}

_CHRISTIAN_MAJORITY = {"christian": 0.45, "no_religion": 0.44, "other_religion": 0.01}
RELIGION_BY_GROUP: dict[str, dict[str, float]] = {
    "white_british": _CHRISTIAN_MAJORITY,
    "white_irish": {"christian": 0.7, "no_religion": 0.22},
    "white_other": {"christian": 0.6, "no_religion": 0.25, "muslim": 0.05, "jewish": 0.02},
    "white_gypsy_irish_traveller": {"christian": 0.8, "no_religion": 0.1},
    "white_roma": {"christian": 0.75, "muslim": 0.08, "no_religion": 0.08},
    "asian_pakistani": {"muslim": 0.92, "no_religion": 0.02},
    "asian_bangladeshi": {"muslim": 0.9, "no_religion": 0.02},
    "asian_indian": {
        "hindu": 0.44,
        "sikh": 0.3,
        "muslim": 0.13,
        "christian": 0.04,
        "no_religion": 0.04,
    },
    "asian_chinese": {"no_religion": 0.6, "christian": 0.2, "buddhist": 0.12},
    "asian_other": {
        "hindu": 0.25,
        "muslim": 0.25,
        "christian": 0.15,
        "buddhist": 0.15,
        "sikh": 0.05,
    },
    "black_african": {"christian": 0.65, "muslim": 0.25, "no_religion": 0.05},
    "black_caribbean": {"christian": 0.6, "no_religion": 0.3, "other_religion": 0.03},
    "black_other": {"christian": 0.55, "muslim": 0.15, "no_religion": 0.2},
    "mixed_white_asian": {"no_religion": 0.45, "christian": 0.3, "muslim": 0.12},
    "mixed_white_black_african": {"christian": 0.45, "no_religion": 0.4, "muslim": 0.08},
    "mixed_white_black_caribbean": {"no_religion": 0.5, "christian": 0.4},
    "mixed_other": {"no_religion": 0.45, "christian": 0.3, "muslim": 0.1},
    "other_arab": {"muslim": 0.85, "christian": 0.07, "no_religion": 0.04},
    "other_any": {"muslim": 0.4, "christian": 0.25, "no_religion": 0.15, "other_religion": 0.1},
}
# Share of each group's religion answers that are missing, split by kind.
MISSING_RELIGION = {"not_asked": 0.25, "prefer_not_to_say": 0.04}

# The chance someone asks for a language other than English, and which.
LANGUAGE_BY_GROUP: dict[str, tuple[float, dict[str, float]]] = {
    "white_other": (
        0.45,
        {"pol": 0.35, "ron": 0.25, "lit": 0.1, "bul": 0.1, "por": 0.1, "hun": 0.05, "ukr": 0.05},
    ),
    "white_roma": (0.6, {"rom": 0.5, "ron": 0.3, "hun": 0.1, "bul": 0.1}),
    "asian_pakistani": (0.25, {"urd": 0.7, "pan": 0.3}),
    "asian_bangladeshi": (0.3, {"ben": 0.6, "syl": 0.4}),
    "asian_indian": (0.15, {"pan": 0.45, "guj": 0.35, "hin": 0.15, "tam": 0.05}),
    "asian_chinese": (0.35, {"yue": 0.5, "cmn": 0.5}),
    "asian_other": (0.3, {"tam": 0.3, "nep": 0.2, "pus": 0.2, "fas": 0.2, "vie": 0.1}),
    "black_african": (
        0.2,
        {"som": 0.4, "yor": 0.15, "aka": 0.1, "tir": 0.15, "amh": 0.1, "fra": 0.1},
    ),
    "other_arab": (0.5, {"ara": 1.0}),
    "other_any": (0.35, {"kur": 0.3, "fas": 0.25, "ara": 0.2, "tur": 0.15, "pus": 0.1}),
}

# Groups the briefing's hate-crime and honour-based-abuse evidence applies to.
_SOUTH_ASIAN = {"asian_pakistani", "asian_bangladeshi", "asian_indian", "asian_other"}
_YOUNG = {"under_18", "18_24"}

HARM_BASE: dict[str, float] = {
    "domestic_abuse": 0.19,
    "robbery_burglary_theft": 0.16,
    "harassment_stalking": 0.1,
    "fraud": 0.09,
    "sexual_violence": 0.08,
    "serious_violence": 0.07,
    "antisocial_behaviour": 0.07,
    "hate_crime": 0.045,
    "hate_incident": 0.035,
    "exploitation": 0.03,
    "bereavement_by_crime": 0.02,
    "honour_based_abuse": 0.004,
    "other": 0.04,
}
HATE_HARMS = frozenset({"hate_crime", "hate_incident"})

# Share of referrals arriving by each channel, for universal services and hubs (reached
# mostly through the police) and for specialist community services (reached through
# people themselves, families and other agencies).
CHANNELS_UNIVERSAL_MAJORITY = {
    "police": 0.58,
    "self": 0.2,
    "other_agency": 0.15,
    "family_friend": 0.07,
}
CHANNELS_UNIVERSAL_MINORITY = {
    "police": 0.38,
    "self": 0.27,
    "other_agency": 0.22,
    "family_friend": 0.13,
}
CHANNELS_SPECIALIST = {"police": 0.1, "self": 0.42, "other_agency": 0.3, "family_friend": 0.18}

# Chance that a hate harm is reported to a reporting centre (where the area has one)
# rather than referred to a service: higher for people the police reach least.
REPORT_SHARE_MAJORITY = 0.35
REPORT_SHARE_MINORITY = 0.6
ANONYMOUS_REPORT_SHARE = 0.4


class WeightedChoice:
    """Draws from fixed weights in O(log n) per draw."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        items = [(value, weight) for value, weight in weights.items() if weight > 0]
        if not items:
            raise ValueError("at least one weight must be positive")
        self.values = [value for value, _weight in items]
        self.cumulative = list(accumulate(weight for _value, weight in items))

    def draw(self, rng: random.Random) -> str:
        """One value, with probability proportional to its weight."""
        point = rng.random() * self.cumulative[-1]
        return self.values[min(bisect_right(self.cumulative, point), len(self.values) - 1)]


def census_shares(census_counts: Mapping[str, int]) -> dict[str, float]:
    """Each group's share of a population."""
    total = sum(census_counts.values())
    if total <= 0:
        raise ValueError("the population is empty")
    return {group: count / total for group, count in census_counts.items()}


def referred_mix(
    census_counts: Mapping[str, int], propensity: Mapping[str, float] = REFERRAL_PROPENSITY
) -> dict[str, float]:
    """The ethnic mix expected among people referred: census shares bent by propensity.

    A group missing from ``propensity`` keeps propensity 1 (reached like white British).
    """
    weighted = {group: count * propensity.get(group, 1.0) for group, count in census_counts.items()}
    return census_shares({group: round(weight * 1000) for group, weight in weighted.items()})


def draw_ethnic_groups(
    rng: random.Random,
    census_counts: Mapping[str, int],
    count: int,
    propensity: Mapping[str, float] = REFERRAL_PROPENSITY,
) -> list[str]:
    """``count`` ethnic groups of people referred in an area with this census population."""
    chooser = WeightedChoice(
        {group: n * propensity.get(group, 1.0) for group, n in census_counts.items()}
    )
    return [chooser.draw(rng) for _ in range(count)]


def is_minority(ethnic_group: str) -> bool:
    """Anyone but white British: the groups universal services reach least."""
    return ethnic_group != "white_british"


@dataclass(frozen=True)
class SyntheticPerson:
    """A made-up person: their true ethnic group and what their record holds."""

    true_ethnic_group: str
    ethnic_group: str
    age_band: str
    sex: str
    sexual_orientation: str
    religion: str
    disabilities: tuple[str, ...]
    disability_status: str
    language: str


def _with_missing(rng: random.Random, value: str, missing: Mapping[str, float]) -> str:
    point = rng.random()
    for code, share in missing.items():
        if point < share:
            return code
        point -= share
    return value


def recorded_ethnic_group(
    rng: random.Random, true_ethnic_group: str, *, police_referral: bool
) -> str:
    """What the record says: the true group, or one of the three kinds of missing answer."""
    missing = MISSING_ETHNICITY_POLICE if police_referral else MISSING_ETHNICITY
    return _with_missing(rng, true_ethnic_group, missing)


def draw_person(
    rng: random.Random, *, true_ethnic_group: str, police_referral: bool
) -> SyntheticPerson:
    """A plausible person of ``true_ethnic_group``; some answers missing, as in real records."""
    religion = WeightedChoice(RELIGION_BY_GROUP.get(true_ethnic_group, _CHRISTIAN_MAJORITY)).draw(
        rng
    )
    language = "eng"
    speaks_other, languages = LANGUAGE_BY_GROUP.get(true_ethnic_group, (0.0, {}))
    if languages and rng.random() < speaks_other:
        language = WeightedChoice(languages).draw(rng)
    disability_status = WeightedChoice(DISABILITY_STATUS).draw(rng)
    disabilities: tuple[str, ...] = ()
    if disability_status == "recorded":
        disabilities = tuple(code for code, rate in DISABILITY_RATES.items() if rng.random() < rate)
    return SyntheticPerson(
        true_ethnic_group=true_ethnic_group,
        ethnic_group=recorded_ethnic_group(rng, true_ethnic_group, police_referral=police_referral),
        age_band=WeightedChoice(AGE_BANDS).draw(rng),
        sex=WeightedChoice(SEXES).draw(rng),
        sexual_orientation=WeightedChoice(SEXUAL_ORIENTATIONS).draw(rng),
        religion=_with_missing(rng, religion, MISSING_RELIGION),
        disabilities=disabilities,
        disability_status=disability_status,
        language=language,
    )


def harm_weights(person: SyntheticPerson) -> dict[str, float]:
    """How likely each harm is to be what brought this person to a service."""
    weights = dict(HARM_BASE)
    if person.sex == "female":
        weights["domestic_abuse"] *= 1.8
        weights["sexual_violence"] *= 2.2
        weights["harassment_stalking"] *= 1.4
    elif person.sex == "male":
        weights["serious_violence"] *= 2.2
        weights["robbery_burglary_theft"] *= 1.3
    if person.age_band in _YOUNG:
        weights["serious_violence"] *= 3.0
        weights["exploitation"] *= 3.0
        weights["fraud"] *= 0.3
    if person.age_band == "65_plus":
        weights["fraud"] *= 3.5
        weights["domestic_abuse"] *= 0.5
    if is_minority(person.true_ethnic_group):
        weights["hate_crime"] *= 3.0
        weights["hate_incident"] *= 3.0
    if person.true_ethnic_group in _SOUTH_ASIAN and person.sex == "female":
        weights["honour_based_abuse"] *= 8.0
    return weights


def hate_strands_for(rng: random.Random, person: SyntheticPerson) -> tuple[str, ...]:
    """What a hate incident against this person was about."""
    strands: list[str] = []
    if is_minority(person.true_ethnic_group):
        strands.append("race")
    if person.religion in {"muslim", "sikh", "jewish", "hindu"} and rng.random() < 0.45:
        strands.append("religion")
    if person.sexual_orientation in {"gay_lesbian", "bisexual"} and rng.random() < 0.6:
        strands.append("sexual_orientation")
    if person.disabilities and rng.random() < 0.5:
        strands.append("disability")
    if not strands:
        strands.append(
            rng.choice(["race", "sexual_orientation", "disability", "sex_gender", "other"])
        )
    return tuple(strands)


def draw_harms(
    rng: random.Random, person: SyntheticPerson
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The harm types (main one first, sometimes a second) and any hate strands."""
    weights = harm_weights(person)
    main = WeightedChoice(weights).draw(rng)
    harms = [main]
    if rng.random() < 0.18:
        second = WeightedChoice({k: v for k, v in weights.items() if k != main}).draw(rng)
        harms.append(second)
    strands = hate_strands_for(rng, person) if HATE_HARMS.intersection(harms) else ()
    return tuple(harms), strands


@dataclass(frozen=True)
class ServiceProfile:
    """What the service chooser needs to know about one service (plain data)."""

    key: str
    area_codes: frozenset[str]
    district_codes: frozenset[str]
    is_national: bool
    is_specialist: bool
    harm_types: frozenset[str]
    ethnic_groups: frozenset[str] = frozenset()
    religions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    minimum_age: int | None = None
    maximum_age: int | None = None
    lived_experience: bool = False
    # Conditions the service is built around (autism, learning disability ...).
    disabilities: frozenset[str] = frozenset()


_AGE_RANGES = {
    "under_18": (11, 17),
    "18_24": (18, 24),
    "25_34": (25, 34),
    "35_44": (35, 44),
    "45_54": (45, 54),
    "55_64": (55, 64),
    "65_plus": (65, 120),
}


def _age_fits(profile: ServiceProfile, age_band: str) -> bool:
    low, high = _AGE_RANGES.get(age_band, (18, 120))
    if profile.minimum_age is not None and high < profile.minimum_age:
        return False
    return not (profile.maximum_age is not None and low > profile.maximum_age)


def service_weight(profile: ServiceProfile, person: SyntheticPerson, main_harm: str) -> float:
    """How likely this person is to end up with this service (0 when it cannot take them)."""
    if profile.harm_types and main_harm not in profile.harm_types:
        return 0.0
    if not _age_fits(profile, person.age_band):
        return 0.0
    if not profile.is_specialist:
        return 1.0
    # A specialist service mostly takes the people it was built for; few others find it.
    # The people it was built for choose it over universal services more often than not:
    # "they do reach a demography that our other victims' services find very difficult to
    # reach" (briefing, section 1).
    weight = 0.03
    if person.true_ethnic_group in profile.ethnic_groups:
        weight *= 60
    if person.religion in profile.religions:
        weight *= 8
    if person.language != "eng" and person.language in profile.languages:
        weight *= 4
    if profile.lived_experience and person.age_band in _YOUNG:
        weight *= 40
    if profile.disabilities.intersection(person.disabilities):
        weight *= 15
    return weight


def choose_service(
    rng: random.Random,
    profiles: Sequence[ServiceProfile],
    *,
    area_code: str,
    district_code: str | None,
    person: SyntheticPerson,
    main_harm: str,
) -> ServiceProfile | None:
    """The service a referral goes to, or None when no service in reach takes it."""
    weights: dict[str, float] = {}
    by_key: dict[str, ServiceProfile] = {}
    for profile in profiles:
        in_reach = profile.is_national or (
            area_code in profile.area_codes
            and (
                not profile.district_codes
                or district_code in profile.district_codes
                or district_code is None
            )
        )
        if not in_reach:
            continue
        weight = service_weight(profile, person, main_harm)
        if weight > 0:
            weights[profile.key] = weight
            by_key[profile.key] = profile
    if not weights:
        return None
    return by_key[WeightedChoice(weights).draw(rng)]


def draw_channel(rng: random.Random, *, person: SyntheticPerson, specialist: bool) -> str:
    """How the referral arrived; minority groups come less often through the police."""
    if specialist:
        return WeightedChoice(CHANNELS_SPECIALIST).draw(rng)
    if is_minority(person.true_ethnic_group):
        return WeightedChoice(CHANNELS_UNIVERSAL_MINORITY).draw(rng)
    return WeightedChoice(CHANNELS_UNIVERSAL_MAJORITY).draw(rng)


def wants_to_report(rng: random.Random, person: SyntheticPerson, harms: Sequence[str]) -> bool:
    """Whether a hate harm goes to a third-party reporting centre instead of a referral."""
    if harms[0] not in HATE_HARMS:
        return False
    share = (
        REPORT_SHARE_MINORITY if is_minority(person.true_ethnic_group) else REPORT_SHARE_MAJORITY
    )
    return rng.random() < share


@dataclass(frozen=True)
class Journey:
    """The stages a referral reached after ``referred``, with when, and the closing answer."""

    stages: tuple[tuple[str, dt.datetime], ...] = ()
    coped_better: bool | None = None


@dataclass
class _Walk:
    rng: random.Random
    now: dt.datetime
    at: dt.datetime
    stages: list[tuple[str, dt.datetime]] = field(default_factory=list)

    def step(self, stage: str, min_days: float, max_days: float) -> bool:
        """Move on after a delay; False (and no move) when that moment is still to come."""
        moment = self.at + dt.timedelta(days=self.rng.uniform(min_days, max_days))
        if moment >= self.now:
            return False
        self.at = moment
        self.stages.append((stage, moment))
        return True


def plan_journey(
    rng: random.Random,
    *,
    true_ethnic_group: str,
    channel: str,
    received_at: dt.datetime,
    now: dt.datetime,
    take_up: Mapping[str, float] = TAKE_UP_WHEN_OFFERED,
) -> Journey:
    """Walk a referral down the funnel with realistic drop-outs and delays, never past ``now``.

    People referred by the police are harder to reach (they did not ask); once offered
    support, take-up follows ``take_up`` for the person's true ethnic group.
    """
    walk = _Walk(rng=rng, now=now, at=received_at)
    reach = 0.74 if channel == "police" else 0.92
    if rng.random() >= reach:
        # Never reached: closed after the service's attempts ran out.
        walk.step("closed", 10, 30)
        return Journey(stages=tuple(walk.stages))
    if not walk.step("contacted", 0.05, 5 if channel == "police" else 2):
        return Journey(stages=tuple(walk.stages))
    if rng.random() >= 0.88:
        walk.step("closed", 3, 20)
        return Journey(stages=tuple(walk.stages))
    if not walk.step("assessed", 1, 10):
        return Journey(stages=tuple(walk.stages))
    if rng.random() >= 0.88:
        walk.step("closed", 2, 15)
        return Journey(stages=tuple(walk.stages))
    if not walk.step("offered", 0, 7):
        return Journey(stages=tuple(walk.stages))
    accepts = rng.random() < take_up.get(true_ethnic_group, DEFAULT_TAKE_UP)
    if not walk.step("accepted" if accepts else "declined", 0.1, 5):
        return Journey(stages=tuple(walk.stages))
    if not accepts:
        walk.step("closed", 1, 7)
        return Journey(stages=tuple(walk.stages))
    if rng.random() >= 0.93 or not walk.step("started", 1, 21):
        if walk.stages[-1][0] == "accepted" and rng.random() < 0.5:
            walk.step("closed", 14, 40)  # accepted but never started
        return Journey(stages=tuple(walk.stages))
    if not walk.step("closed", 21, 240):
        return Journey(stages=tuple(walk.stages))
    outcome = rng.random()
    coped_better = True if outcome < 0.76 else (False if outcome < 0.92 else None)
    return Journey(stages=tuple(walk.stages), coped_better=coped_better)


def received_moment(rng: random.Random, now: dt.datetime, *, days: int = 365) -> dt.datetime:
    """A moment in the past ``days`` days, in working hours more often than not."""
    day = now - dt.timedelta(days=rng.uniform(1, days))
    hour = (
        rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 17]) if rng.random() < 0.8 else rng.randrange(24)
    )
    moment = day.replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
    )
    return min(moment, now - dt.timedelta(hours=1))
