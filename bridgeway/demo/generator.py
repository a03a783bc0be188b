"""The demo: made-up organisations, services, staff and several thousand synthetic referrals.

``generate_demo`` writes everything through the same services real use goes through
(``service_create``, ``staff_account_create``, ``referral_create``, ``report_create``,
``referral_advance``, the commissioning services), marks every record ``is_synthetic`` and
never runs against a database holding real organisations or people: demo data must never
mix with real data. Who the synthetic people are is decided in ``population`` (plain
Python); which organisations exist in ``catalogue``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from base64 import b32encode
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    get_hasher,
    get_hashers,
    get_hashers_by_algorithm,
)
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.services import staff_account_create, totp_device_create
from bridgeway.casework.models import AuditEntry, Person, Referral, Share
from bridgeway.casework.services import (
    ContactDetails,
    PersonDetails,
    audit_demo_entries_delete,
    referral_advance,
    referral_create,
    report_create,
)
from bridgeway.commissioning.models import Application, FundingRound
from bridgeway.demo import population
from bridgeway.demo.catalogue import (
    DEFAULT_REFERRALS_MAIN_AREA,
    DEFAULT_REFERRALS_OTHER_AREA,
    DEMO_AREAS,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    MAIN_AREAS,
    ORGANISATIONS,
    OrganisationSpec,
    ServiceSpec,
)
from bridgeway.demo.funding import build_funding
from bridgeway.demo.working_day import build_working_day
from bridgeway.directory.models import Service
from bridgeway.directory.services import service_create
from bridgeway.places.models import (
    CensusPopulation,
    LocalAuthorityDistrict,
    PoliceForceArea,
    PostcodeDistrictArea,
)

# The share of people who give no postcode at all (a district is still unknown then).
NO_POSTCODE_SHARE = 0.18
# Which kind of contact people ask for.
CONTACT_CHOICES = (("phone",), ("text",), ("email",), ("phone", "text"), ("none",))


class RealDataPresent(Exception):
    """The database holds real organisations or people: demo data must not be added."""


class DemoDataPresent(Exception):
    """Demo data is already there; adding it again would duplicate it."""


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in, with what a newcomer needs to pass the second factor."""

    email: str
    password: str
    role: str
    organisation: str
    totp_key_hex: str

    @property
    def totp_secret(self) -> str:
        """The secret as base32, what people type into an authenticator app."""
        return b32encode(bytes.fromhex(self.totp_key_hex)).decode("ascii")

    def current_code(self, at: float | None = None) -> str:
        """The six-digit code an authenticator app shows now (or at Unix time ``at``)."""
        totp = TOTP(bytes.fromhex(self.totp_key_hex), step=30, t0=0, digits=6)
        if at is not None:
            totp.time = at
        return f"{totp.token():06d}"


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` made."""

    organisations: int
    services: int
    referrals: int
    reports: int
    referrals_by_area: dict[str, int]
    funding_rounds: int
    applications: int
    accounts: tuple[DemoAccount, ...]
    seconds: float = 0.0


def demo_totp_key(email: str) -> str:
    """The fixed TOTP key (hex) of a demo account: the same on every machine and every run."""
    return hashlib.sha256(f"bridgeway-demo-totp:{email}".encode()).hexdigest()[:40]


def demo_email(slug: str, role: str) -> str:
    """A demo account's address, on a reserved domain that can never receive mail."""
    short = slug.removeprefix("demo-")
    return f"{role.replace('_', '-')}.{short}@{DEMO_EMAIL_DOMAIN}"


def real_data_present() -> bool:
    """Whether any organisation, service, person or referral is real (not synthetic)."""
    return (
        Organisation.objects.filter(is_synthetic=False).exists()
        or Service.objects.filter(is_synthetic=False).exists()
        or Person.objects.filter(is_synthetic=False).exists()
        or Referral.objects.filter(is_synthetic=False).exists()
    )


def demo_data_present() -> bool:
    """Whether demo organisations already exist."""
    return Organisation.objects.filter(is_synthetic=True).exists()


def demo_sign_ins() -> list[DemoAccount]:
    """The demo accounts in the database, read back so they can be printed again."""
    memberships = (
        Membership.objects.filter(
            organisation__is_synthetic=True, user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "role", "user__email")
    )
    devices = {
        device.user_id: device.key
        for device in TOTPDevice.objects.filter(
            user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}", confirmed=True
        ).order_by("id")
    }
    return [
        DemoAccount(
            email=membership.user.email,
            password=DEMO_PASSWORD,
            role=membership.get_role_display(),
            organisation=membership.organisation.name,
            totp_key_hex=devices.get(membership.user_id, ""),
        )
        for membership in memberships
        if membership.user_id in devices
    ]


class _DemoHasher(Argon2PasswordHasher):
    """Argon2 with light costs, used only while the demo is generated.

    What it hashes protects nothing: the demo accounts' password is printed for anyone to
    read, and the follow-up codes of synthetic reports are thrown away. At full cost those
    hashes alone would take minutes. They are ordinary Argon2 strings that carry their own
    parameters, so the normal hasher checks them (and re-hashes a password at full cost the
    first time someone signs in with it).
    """

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def _forget_hashers() -> None:
    # Django caches the hasher list (functools.cache); the stubs do not say so.
    cast(Any, get_hashers).cache_clear()
    cast(Any, get_hashers_by_algorithm).cache_clear()


@contextmanager
def _light_demo_hashing() -> Iterator[None]:
    original = settings.PASSWORD_HASHERS
    hasher_path = f"{__name__}._DemoHasher"
    settings.PASSWORD_HASHERS = [hasher_path, *original]
    _forget_hashers()
    try:
        assert isinstance(get_hasher("default"), _DemoHasher)  # noqa: S101
        yield
    finally:
        settings.PASSWORD_HASHERS = original
        _forget_hashers()


@dataclass
class _AreaData:
    code: str
    districts_by_name: dict[str, LocalAuthorityDistrict]
    outcodes: dict[str, list[str]]
    # (district code, ethnic group) -> census count, bent later by referral propensity.
    census: dict[tuple[str, str], int]

    def group_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for (_district, group), count in self.census.items():
            totals[group] += count
        return dict(totals)


def _area_data(code: str) -> _AreaData:
    districts = {
        d.name: d for d in LocalAuthorityDistrict.objects.filter(police_force_area_id=code)
    }
    outcodes: dict[str, list[str]] = defaultdict(list)
    for link in PostcodeDistrictArea.objects.filter(
        rank=1, district__police_force_area_id=code
    ).order_by("postcode_district_id"):
        outcodes[link.district_id].append(link.postcode_district_id)
    census = {
        (row.district_id, row.ethnic_group): row.count
        for row in CensusPopulation.objects.filter(district__police_force_area_id=code).order_by(
            "district_id", "ethnic_group"
        )
    }
    if not districts or not census:
        raise ValueError(
            f"The reference data for police force area {code} is missing. "
            "Run `bridgeway load-reference-data` first."
        )
    return _AreaData(code=code, districts_by_name=districts, outcodes=dict(outcodes), census=census)


@dataclass
class _Built:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    services: list[tuple[Service, OrganisationSpec, population.ServiceProfile]] = field(
        default_factory=list
    )
    accounts: list[DemoAccount] = field(default_factory=list)
    users: dict[tuple[str, str], User] = field(default_factory=dict)


def _district_codes(spec: ServiceSpec, area: _AreaData) -> list[str]:
    missing = [name for name in spec.districts if name not in area.districts_by_name]
    if missing:
        raise ValueError(f"{spec.name}: no district called {', '.join(missing)} in {area.code}")
    return [area.districts_by_name[name].code for name in spec.districts]


def _build_organisations(areas: dict[str, _AreaData], built: _Built) -> None:
    for spec in ORGANISATIONS:
        organisation = Organisation(
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            independence=spec.independence,
            website=f"https://{spec.slug}.example",
            is_synthetic=True,
        )
        organisation.full_clean()
        organisation.save()
        organisation.areas.set(
            PoliceForceArea.objects.filter(code__in=[spec.area, *spec.extra_areas])
        )
        built.organisations[spec.slug] = organisation
        area = areas[spec.area]
        for service_spec in spec.services:
            district_codes = _district_codes(service_spec, area)
            service = service_create(
                organisation=organisation,
                name=service_spec.name,
                description=service_spec.description,
                url=f"https://{spec.slug}.example/",
                email=f"hello@{spec.slug}.example",
                independence=spec.independence,
                is_specialist=service_spec.is_specialist,
                accepts_out_of_area=service_spec.accepts_out_of_area,
                third_party_reporting=service_spec.third_party_reporting,
                lived_experience=service_spec.lived_experience,
                worker_gender_choice=service_spec.worker_gender_choice,
                trauma_informed=service_spec.trauma_informed,
                minimum_age=service_spec.minimum_age,
                maximum_age=service_spec.maximum_age,
                waiting_weeks=service_spec.waiting_weeks,
                is_national=service_spec.is_national,
                is_synthetic=True,
                district_codes=district_codes,
                pfa_codes=[] if district_codes else [spec.area],
                language_codes=service_spec.languages,
                harm_type_codes=service_spec.harm_types,
                ethnic_group_codes=service_spec.ethnic_groups,
                religion_codes=service_spec.religions,
            )
            profile = population.ServiceProfile(
                key=str(service.id),
                area_codes=frozenset({spec.area}),
                district_codes=frozenset(district_codes),
                is_national=service_spec.is_national,
                is_specialist=service_spec.is_specialist,
                harm_types=frozenset(service_spec.harm_types),
                ethnic_groups=frozenset(service_spec.ethnic_groups),
                religions=frozenset(service_spec.religions),
                languages=frozenset(service_spec.languages),
                minimum_age=service_spec.minimum_age,
                maximum_age=service_spec.maximum_age,
                lived_experience=service_spec.lived_experience,
                disabilities=frozenset(service_spec.disabilities),
            )
            built.services.append((service, spec, profile))


def _build_accounts(built: _Built) -> None:
    for spec in ORGANISATIONS:
        organisation = built.organisations[spec.slug]
        for account in spec.accounts:
            email = demo_email(spec.slug, account.role)
            added = staff_account_create(
                organisation=organisation,
                email=email,
                full_name=account.full_name,
                role=account.role,
                password=DEMO_PASSWORD,
            )
            user = added.membership.user
            key = demo_totp_key(email)
            totp_device_create(user, key=key, confirmed=True)
            built.users[(spec.slug, account.role)] = user
            built.accounts.append(
                DemoAccount(
                    email=email,
                    password=DEMO_PASSWORD,
                    role=added.membership.get_role_display(),
                    organisation=organisation.name,
                    totp_key_hex=key,
                )
            )


@dataclass(frozen=True)
class _Counts:
    referrals: int
    reports: int


def _identity(rng: random.Random, channels: tuple[str, ...]) -> dict[str, Any]:
    """A made-up name and, for the ways the person chose to be contacted, made-up details.

    Phone numbers are from Ofcom's range kept for drama (07700 900000 to 900999) and email
    addresses on a reserved domain, so nothing here can reach a real person.
    """
    number = rng.randrange(10**6)
    identity: dict[str, Any] = {"name": f"Synthetic person {number:06d}"}
    if {"phone", "text"} & set(channels):
        identity["phone"] = f"07700 900{rng.randrange(1000):03d}"
    if "email" in channels:
        identity["email"] = f"person-{number:06d}@synthetic.example"
    return identity


def _synthetic_narrative(harms: tuple[str, ...]) -> str:
    return (
        "Synthetic demo record (not a real person). Harms: "
        + ", ".join(code.replace("_", " ") for code in harms)
        + "."
    )


def _build_referrals(
    rng: random.Random,
    *,
    area: _AreaData,
    count: int,
    built: _Built,
    now: dt.datetime,
) -> _Counts:
    profiles = [profile for _service, _spec, profile in built.services]
    services = {profile.key: (service, spec) for service, spec, profile in built.services}
    reporting_centres = [
        built.organisations[spec.slug]
        for spec in ORGANISATIONS
        if spec.area == area.code and spec.kind == Organisation.Kind.REPORTING_CENTRE
    ]
    practitioners = {
        slug: user for (slug, role), user in built.users.items() if role == "practitioner"
    }
    slugs = {organisation.id: slug for slug, organisation in built.organisations.items()}
    joint = population.WeightedChoice(
        {
            f"{district}|{group}": count_ * population.REFERRAL_PROPENSITY.get(group, 1.0)
            for (district, group), count_ in area.census.items()
        }
    )
    referrals = reports = 0
    for _index in range(count):
        district_code, true_group = joint.draw(rng).split("|")
        received_at = population.received_moment(rng, now)
        postcode = ""
        outcodes = area.outcodes.get(district_code)
        if outcodes and rng.random() >= NO_POSTCODE_SHARE:
            postcode = rng.choice(outcodes)
        person = population.draw_person(rng, true_ethnic_group=true_group, police_referral=False)
        harms, strands = population.draw_harms(rng, person)
        details_kwargs: dict[str, Any] = {
            "postcode": postcode,
            "ethnic_group": person.ethnic_group,
            "age_band": person.age_band,
            "sex": person.sex,
            "sexual_orientation": person.sexual_orientation,
            "religion": person.religion,
            "disabilities": person.disabilities,
            "disability_status": person.disability_status,
            "language": person.language,
        }
        if reporting_centres and population.wants_to_report(rng, person, harms):
            anonymous = rng.random() < population.ANONYMOUS_REPORT_SHARE
            channels = ("none",) if anonymous else rng.choice(CONTACT_CHOICES)
            identity: dict[str, Any] = {} if anonymous else _identity(rng, channels)
            referral, _code = report_create(
                organisation=rng.choice(reporting_centres),
                details=PersonDetails(**identity, **details_kwargs),
                contact=None if anonymous else ContactDetails(channels=channels),
                is_anonymous=anonymous,
                harm_types=harms,
                hate_strands=strands,
                narrative=_synthetic_narrative(harms),
                incident_date=(received_at - dt.timedelta(days=rng.randrange(0, 21))).date(),
                wants_police_told=rng.random() < 0.3,
                received_at=received_at,
                is_synthetic=True,
            )
            reports += 1
            channel = "third_party_report"
        else:
            profile = population.choose_service(
                rng,
                profiles,
                area_code=area.code,
                district_code=district_code if postcode else None,
                person=person,
                main_harm=harms[0],
            )
            if profile is None:
                continue
            service, _spec = services[profile.key]
            channel = population.draw_channel(rng, person=person, specialist=profile.is_specialist)
            if channel == "police":
                # Police referrals arrive with ethnicity unrecorded more often.
                details_kwargs["ethnic_group"] = population.recorded_ethnic_group(
                    rng, true_group, police_referral=True
                )
            channels = rng.choice(CONTACT_CHOICES)
            referral = referral_create(
                service=service,
                details=PersonDetails(**_identity(rng, channels), **details_kwargs),
                contact=ContactDetails(channels=channels),
                harm_types=harms,
                hate_strands=strands,
                narrative=_synthetic_narrative(harms),
                channel=channel,
                received_at=received_at,
                is_synthetic=True,
            )
            referrals += 1
        journey = population.plan_journey(
            rng, true_ethnic_group=true_group, channel=channel, received_at=received_at, now=now
        )
        actor = practitioners.get(slugs[referral.organisation_id])
        for stage, at in journey.stages:
            referral_advance(
                referral=referral,
                stage=stage,
                actor=actor,
                at=at,
                coped_better=journey.coped_better if stage == "closed" else None,
                decline_reason=_demo_decline_reason(received_at) if stage == "declined" else "",
            )
    return _Counts(referrals=referrals, reports=reports)


# The demo's declines come after an offer, so most are the person's own choice. Chosen from
# the arrival time rather than the random stream, so the rest of the demo stays as it was.
_DEMO_DECLINE_REASONS = (
    "person_withdrew",
    "person_withdrew",
    "person_withdrew",
    "service_full",
    "other_help_needed",
    "outside_area",
)


def _demo_decline_reason(received_at: dt.datetime) -> str:
    return _DEMO_DECLINE_REASONS[received_at.minute % len(_DEMO_DECLINE_REASONS)]


def _admin_or_create(built: _Built, slug: str) -> User:
    """The organisation's demo administrator, adding one (without a printed sign-in) if needed."""
    existing = built.users.get((slug, "organisation_admin"))
    if existing is not None:
        return existing
    organisation = built.organisations[slug]
    email = demo_email(slug, "organisation_admin")
    added = staff_account_create(
        organisation=organisation,
        email=email,
        full_name=f"Administrator of {organisation.name} (demo)",
        role=Membership.Role.ORGANISATION_ADMIN,
        password=DEMO_PASSWORD,
    )
    key = demo_totp_key(email)
    totp_device_create(added.membership.user, key=key, confirmed=True)
    built.users[(slug, "organisation_admin")] = added.membership.user
    built.accounts.append(
        DemoAccount(
            email=email,
            password=DEMO_PASSWORD,
            role=added.membership.get_role_display(),
            organisation=organisation.name,
            totp_key_hex=key,
        )
    )
    return added.membership.user


def referrals_for_area(area_code: str, referrals_per_area: int | None) -> int:
    """How many referrals an area gets: the given number, or the default for its weight."""
    if referrals_per_area is not None:
        return referrals_per_area
    return DEFAULT_REFERRALS_MAIN_AREA if area_code in MAIN_AREAS else DEFAULT_REFERRALS_OTHER_AREA


@transaction.atomic
def generate_demo(
    *, seed: int, referrals_per_area: int | None = None, now: dt.datetime | None = None
) -> DemoSummary:
    """Create the demo: the same organisations, people and journeys for the same seed.

    ``referrals_per_area`` sets every area's number of referrals (default: 1,500 in West
    Yorkshire, West Midlands and Bedfordshire, 500 in the others). Raises ``RealDataPresent``
    when the database holds any real organisation or person, and ``DemoDataPresent`` when
    demo data is already there. One transaction: it all appears, or nothing does.

    Meant for the ``seed-demo`` command's own process: while it runs, the process's password
    hasher is swapped for a light one (see ``_DemoHasher``).
    """
    if referrals_per_area is not None and referrals_per_area < 0:
        raise ValueError("referrals_per_area cannot be negative")
    if real_data_present():
        raise RealDataPresent(
            "This database holds real organisations or people; demo data is never mixed with them."
        )
    if demo_data_present():
        raise DemoDataPresent("Demo data is already present.")
    started = time.monotonic()
    moment = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not secrets
    areas = {code: _area_data(code) for code in DEMO_AREAS}
    built = _Built()
    by_area: dict[str, int] = {}
    referrals = reports = 0
    with _light_demo_hashing():
        _build_organisations(areas, built)
        _build_accounts(built)
        for code in DEMO_AREAS:
            counts = _build_referrals(
                rng,
                area=areas[code],
                count=referrals_for_area(code, referrals_per_area),
                built=built,
                now=moment,
            )
            by_area[code] = counts.referrals + counts.reports
            referrals += counts.referrals
            reports += counts.reports
        referrals += build_working_day(
            organisations=built.organisations,
            users=built.users,
            services=[service for service, _spec, _profile in built.services],
            now=moment,
        )
        rounds, applications = build_funding(
            built.organisations,
            built.users,
            lambda slug: (built.organisations[slug], _admin_or_create(built, slug)),
            now=moment,
        )
    return DemoSummary(
        organisations=len(built.organisations),
        services=len(built.services),
        referrals=referrals,
        reports=reports,
        referrals_by_area=by_area,
        funding_rounds=rounds,
        applications=applications,
        accounts=tuple(built.accounts),
        seconds=time.monotonic() - started,
    )


class DemoDataProtected(Exception):
    """Something outside the demo still points at demo records, so they cannot be deleted."""


@transaction.atomic
def demo_data_delete(*, dry_run: bool = False) -> dict[str, int]:
    """Delete every synthetic record (for ``seed-demo --replace``); counts by kind.

    Refuses (``RealDataPresent``) when real data exists, because then the audit entries and
    accounts around demo records could be tangled with real ones. With ``dry_run`` it only
    counts.
    """
    if real_data_present():
        raise RealDataPresent(
            "This database holds real organisations or people; demo data is not removed from it "
            "automatically."
        )
    organisations = Organisation.objects.filter(is_synthetic=True)
    users = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    referrals = Referral.objects.filter(Q(is_synthetic=True) | Q(organisation__in=organisations))
    people = Person.objects.filter(Q(is_synthetic=True) | Q(organisation__in=organisations))
    rounds = FundingRound.objects.filter(Q(is_synthetic=True) | Q(commissioner__in=organisations))
    applications = Application.objects.filter(Q(is_synthetic=True) | Q(applicant__in=organisations))
    audit = AuditEntry.objects.filter(Q(organisation__in=organisations) | Q(actor__in=users))
    services = Service.objects.filter(Q(is_synthetic=True) | Q(organisation__in=organisations))
    counts = {
        "organisations": organisations.count(),
        "services": services.count(),
        "staff accounts": users.count(),
        "referrals and reports": referrals.count(),
        "people": people.count(),
        "funding rounds": rounds.count(),
        "applications": applications.count(),
        "audit entries": audit.count(),
    }
    if dry_run:
        return counts
    try:
        # Audit entries of demo records go too: the log of a demo-only database restarts.
        audit_demo_entries_delete(entries=audit)
        applications.delete()
        rounds.delete()
        # Shares are kept whatever happens to a case (PROTECT); demo ones go with the demo.
        Share.objects.filter(Q(referral__in=referrals) | Q(onward_referral__in=referrals)).delete()
        referrals.delete()
        people.delete()
        services.delete()
        organisations.delete()
        users.delete()
    except ProtectedError as error:
        kinds = sorted(
            {str(type(obj)._meta.verbose_name_plural) for obj in error.protected_objects}
        )
        raise DemoDataProtected(
            "Other records still point at the demo data ("
            + ", ".join(str(kind) for kind in kinds)
            + "); nothing was deleted."
        ) from None
    return counts
