"""The demo's made-up organisations, services and staff accounts (plain data, no Django).

Every name here is invented. They are shaped like the organisations in the forum briefing
(a hate crime alliance taking third-party reports, a service for Asian women after sexual
violence, a Sikh women's service, a lived-experience youth violence project, universal
victims' services, victims' hubs, a Roma and Traveller advocacy group) but are not them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEST_YORKSHIRE = "E23000010"
WEST_MIDLANDS = "E23000014"
BEDFORDSHIRE = "E23000026"
NORTHUMBRIA = "E23000007"
AVON_AND_SOMERSET = "E23000036"
METROPOLITAN = "E23000001"

# The police force areas whose offices took part in the forum, in the order demo data
# gives them weight: the first three get the most referrals.
DEMO_AREAS = (
    WEST_YORKSHIRE,
    WEST_MIDLANDS,
    BEDFORDSHIRE,
    NORTHUMBRIA,
    AVON_AND_SOMERSET,
    METROPOLITAN,
)
MAIN_AREAS = frozenset({WEST_YORKSHIRE, WEST_MIDLANDS, BEDFORDSHIRE})
DEFAULT_REFERRALS_MAIN_AREA = 1500
DEFAULT_REFERRALS_OTHER_AREA = 500

SOUTH_ASIAN = ("asian_pakistani", "asian_bangladeshi", "asian_indian", "asian_other")
ALL_HARMS = ()  # an empty list of harms means "any harm"


@dataclass(frozen=True)
class ServiceSpec:
    """One service of a demo organisation. ``districts`` empty means the whole area."""

    name: str
    description: str
    harm_types: tuple[str, ...] = ALL_HARMS
    districts: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("eng",)
    ethnic_groups: tuple[str, ...] = ()
    religions: tuple[str, ...] = ()
    # Conditions the service is built around; used only to route synthetic referrals.
    disabilities: tuple[str, ...] = ()
    is_specialist: bool = False
    accepts_out_of_area: bool = False
    is_national: bool = False
    third_party_reporting: bool = False
    lived_experience: bool = False
    worker_gender_choice: bool = False
    trauma_informed: bool = True
    minimum_age: int | None = None
    maximum_age: int | None = None
    waiting_weeks: int | None = None


@dataclass(frozen=True)
class AccountSpec:
    """A demo staff account: its role and the name shown for it."""

    role: str
    full_name: str


@dataclass(frozen=True)
class OrganisationSpec:
    """A demo organisation in one area (``extra_areas`` for those that cross borders)."""

    slug: str
    name: str
    kind: str
    area: str
    independence: str
    services: tuple[ServiceSpec, ...] = ()
    accounts: tuple[AccountSpec, ...] = ()
    extra_areas: tuple[str, ...] = field(default=())


def _commissioner_office(
    slug: str, area: str, label: str, *accounts: AccountSpec
) -> OrganisationSpec:
    return OrganisationSpec(
        slug=slug,
        name=f"{label} Commissioner's Office (demo)",
        kind="commissioner",
        area=area,
        independence="police_linked",
        accounts=accounts,
    )


_HATE = ("hate_incident", "hate_crime", "harassment_stalking")
_ABUSE_OF_WOMEN = ("domestic_abuse", "sexual_violence", "honour_based_abuse", "harassment_stalking")
_YOUTH_VIOLENCE = (
    "serious_violence",
    "exploitation",
    "robbery_burglary_theft",
    "bereavement_by_crime",
)

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    # --- West Yorkshire -------------------------------------------------------------
    OrganisationSpec(
        slug="demo-aire-calder-hate-reporting",
        name="Aire and Calder Hate Reporting Alliance",
        kind="reporting_centre",
        area=WEST_YORKSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Report hate and get an advocate",
                description=(
                    "Tell us about hate you have faced, in your own words and your own language, "
                    "named or anonymous. We only pass it to the police if you want us to, and an "
                    "advocate from your community can stay with you through what comes next."
                ),
                harm_types=_HATE,
                languages=("eng", "urd", "pan", "pol", "ron", "ara", "ben"),
                is_specialist=True,
                third_party_reporting=True,
            ),
        ),
        accounts=(
            AccountSpec("organisation_admin", "Nasreen Akhtar (demo)"),
            AccountSpec("practitioner", "Tomasz Nowak (demo)"),
        ),
    ),
    OrganisationSpec(
        slug="demo-pennine-asian-womens-service",
        name="Pennine Asian Women's Sexual Violence Service",
        kind="specialist",
        area=WEST_YORKSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Support after rape, sexual abuse and forced marriage",
                description=(
                    "Women workers who share your language and understand family and community "
                    "pressures. We never contact your family. Spoken-word and video guides made "
                    "with women from our communities."
                ),
                harm_types=_ABUSE_OF_WOMEN,
                districts=("Bradford", "Kirklees", "Calderdale", "Leeds"),
                languages=("eng", "urd", "pan", "ben", "syl", "guj", "hin"),
                ethnic_groups=SOUTH_ASIAN,
                is_specialist=True,
                accepts_out_of_area=True,
                worker_gender_choice=True,
                minimum_age=16,
                waiting_weeks=2,
            ),
        ),
        accounts=(
            AccountSpec("organisation_admin", "Shazia Begum (demo)"),
            AccountSpec("practitioner", "Harpreet Sandhu (demo)"),
        ),
    ),
    OrganisationSpec(
        slug="demo-five-towns-victim-care",
        name="Five Towns Victim Care",
        kind="universal",
        area=WEST_YORKSHIRE,
        independence="commissioned",
        services=(
            ServiceSpec(
                name="Emotional and practical support after crime",
                description=(
                    "Free support for anyone affected by crime in West Yorkshire, whether or not "
                    "it was reported to the police. Interpreters on request."
                ),
                languages=("eng", "pol", "urd"),
                waiting_weeks=3,
            ),
        ),
        accounts=(AccountSpec("practitioner", "Gareth Holroyd (demo)"),),
    ),
    OrganisationSpec(
        slug="demo-white-rose-victims-hub",
        name="White Rose Victims' Hub",
        kind="hub",
        area=WEST_YORKSHIRE,
        independence="police_linked",
        services=(
            ServiceSpec(
                name="Victims' hub: assessment and onward referral",
                description=(
                    "One place to start: we assess what you need and connect you with the "
                    "service that fits, including specialist community services."
                ),
                languages=("eng",),
                third_party_reporting=True,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-second-chapter-youth",
        name="Second Chapter Youth Project",
        kind="specialist",
        area=WEST_YORKSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Lived-experience mentoring after violence",
                description=(
                    "Mentors who have been where you are. No labels, no judgement, not the "
                    "police. We keep working with you if you are moved to another area."
                ),
                harm_types=_YOUTH_VIOLENCE,
                districts=("Leeds", "Bradford"),
                is_specialist=True,
                accepts_out_of_area=True,
                lived_experience=True,
                minimum_age=11,
                maximum_age=25,
            ),
        ),
    ),
    _commissioner_office(
        "demo-west-yorkshire-commissioner",
        WEST_YORKSHIRE,
        "West Yorkshire",
        AccountSpec("commissioner", "Olusegun Adeyemi (demo)"),
        AccountSpec("analyst", "Rachel Whitaker (demo)"),
    ),
    # --- West Midlands --------------------------------------------------------------
    OrganisationSpec(
        slug="demo-black-country-sikh-women",
        name="Black Country Sikh Women's Circle",
        kind="specialist",
        area=WEST_MIDLANDS,
        independence="independent",
        services=(
            ServiceSpec(
                name="Confidential support for Sikh women",
                description=(
                    "A small, local service run by Sikh women for Sikh women facing abuse at "
                    "home or in the community. Panjabi spoken; privacy from family respected."
                ),
                harm_types=(*_ABUSE_OF_WOMEN, "hate_incident", "hate_crime"),
                districts=("Sandwell", "Wolverhampton", "Walsall", "Dudley", "Birmingham"),
                languages=("eng", "pan", "hin"),
                ethnic_groups=("asian_indian",),
                religions=("sikh",),
                is_specialist=True,
                worker_gender_choice=True,
                minimum_age=16,
            ),
        ),
        accounts=(
            AccountSpec("organisation_admin", "Manjit Kaur (demo)"),
            AccountSpec("practitioner", "Simran Dhillon (demo)"),
        ),
    ),
    OrganisationSpec(
        slug="demo-brum-together-reporting",
        name="Brum Together Hate Reporting Centre",
        kind="reporting_centre",
        area=WEST_MIDLANDS,
        independence="independent",
        services=(
            ServiceSpec(
                name="Third-party hate reporting",
                description="Report hate without going to the police. Anonymous reports welcome.",
                harm_types=_HATE,
                languages=("eng", "urd", "pan", "ben", "som", "ara"),
                is_specialist=True,
                third_party_reporting=True,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-seven-cities-victim-care",
        name="Seven Cities Victim Care",
        kind="universal",
        area=WEST_MIDLANDS,
        independence="commissioned",
        services=(
            ServiceSpec(
                name="Support for anyone affected by crime",
                description="Practical and emotional support across the West Midlands.",
                languages=("eng", "urd", "pan"),
                waiting_weeks=4,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-balsall-somali-family-link",
        name="Balsall Heath Somali Family Link",
        kind="specialist",
        area=WEST_MIDLANDS,
        independence="independent",
        services=(
            ServiceSpec(
                name="Somali and Arabic-speaking family support",
                description="Caseworkers from the community, in Somali and Arabic.",
                harm_types=("domestic_abuse", *_HATE, "exploitation", "other"),
                districts=("Birmingham", "Sandwell"),
                languages=("eng", "som", "ara"),
                ethnic_groups=("black_african", "other_arab"),
                is_specialist=True,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-forward-steps-collective",
        name="Forward Steps Lived Experience Collective",
        kind="specialist",
        area=WEST_MIDLANDS,
        independence="independent",
        services=(
            ServiceSpec(
                name="Youth violence: support from people who have lived it",
                description="Trauma-informed, restorative support for young people after violence.",
                harm_types=_YOUTH_VIOLENCE,
                districts=("Birmingham", "Coventry", "Wolverhampton"),
                is_specialist=True,
                accepts_out_of_area=True,
                lived_experience=True,
                minimum_age=11,
                maximum_age=25,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-midlands-gateway-hub",
        name="Midlands Gateway Victims' Hub",
        kind="hub",
        area=WEST_MIDLANDS,
        independence="police_linked",
        services=(
            ServiceSpec(
                name="Victims' hub: one place to start",
                description=(
                    "We assess what you need and refer you on, including to community services "
                    "that work in your language."
                ),
                languages=("eng", "urd", "pan", "ben"),
                third_party_reporting=True,
            ),
        ),
    ),
    _commissioner_office(
        "demo-west-midlands-commissioner",
        WEST_MIDLANDS,
        "West Midlands",
        AccountSpec("analyst", "Priya Chauhan (demo)"),
    ),
    # --- Bedfordshire ---------------------------------------------------------------
    OrganisationSpec(
        slug="demo-ouse-valley-victims-hub",
        name="Ouse Valley Victims' Hub",
        kind="hub",
        area=BEDFORDSHIRE,
        independence="police_linked",
        services=(
            ServiceSpec(
                name="Victims' hub for Bedfordshire",
                description="Assessment, support and referral for anyone affected by crime.",
                languages=("eng", "urd", "ben", "pol"),
                third_party_reporting=True,
            ),
        ),
        accounts=(AccountSpec("practitioner", "Daniel Okafor (demo)"),),
    ),
    OrganisationSpec(
        slug="demo-luton-asian-womens-recovery",
        name="Luton Asian Women's Recovery Service",
        kind="specialist",
        area=BEDFORDSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Recovery support after sexual violence and abuse",
                description="Women caseworkers; Urdu, Panjabi and Bengali spoken.",
                harm_types=_ABUSE_OF_WOMEN,
                districts=("Luton", "Bedford"),
                languages=("eng", "urd", "pan", "ben", "syl"),
                ethnic_groups=SOUTH_ASIAN,
                is_specialist=True,
                worker_gender_choice=True,
                minimum_age=16,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-chiltern-hate-reporting",
        name="Chiltern Hate Reporting Point",
        kind="reporting_centre",
        area=BEDFORDSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Report hate, named or anonymous",
                description="A safe place to report hate, away from the police unless you choose.",
                harm_types=_HATE,
                languages=("eng", "urd", "pol", "ron"),
                is_specialist=True,
                third_party_reporting=True,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-three-rivers-victim-care",
        name="Three Rivers Victim Care",
        kind="universal",
        area=BEDFORDSHIRE,
        independence="commissioned",
        services=(
            ServiceSpec(
                name="Support after crime in Bedfordshire",
                description="Free, confidential support whether or not you told the police.",
                waiting_weeks=2,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-drom-roma-traveller-advocacy",
        name="Drom Roma and Traveller Advocacy",
        kind="specialist",
        area=BEDFORDSHIRE,
        independence="independent",
        services=(
            ServiceSpec(
                name="Advocacy for Roma, Gypsy and Traveller people",
                description=(
                    "Advocates from Roma and Traveller communities, by phone, video or in person "
                    "anywhere in England and Wales. Romani and Romanian spoken."
                ),
                harm_types=(*_HATE, "exploitation", "antisocial_behaviour", "other"),
                languages=("eng", "rom", "ron", "hun", "bul"),
                ethnic_groups=("white_roma", "white_gypsy_irish_traveller"),
                is_specialist=True,
                is_national=True,
                accepts_out_of_area=True,
            ),
        ),
    ),
    _commissioner_office(
        "demo-bedfordshire-commissioner",
        BEDFORDSHIRE,
        "Bedfordshire",
        AccountSpec("analyst", "Joanne Marsh (demo)"),
    ),
    # --- Northumbria ----------------------------------------------------------------
    OrganisationSpec(
        slug="demo-tyne-wear-victim-care",
        name="Tyne and Wear Victim Care",
        kind="universal",
        area=NORTHUMBRIA,
        independence="commissioned",
        services=(
            ServiceSpec(name="Support after crime", description="For anyone affected by crime."),
        ),
    ),
    OrganisationSpec(
        slug="demo-north-east-new-neighbours",
        name="North East New Neighbours Support",
        kind="specialist",
        area=NORTHUMBRIA,
        independence="independent",
        services=(
            ServiceSpec(
                name="Support for refugees and new arrivals",
                description="Help after hate, exploitation or abuse, in your language.",
                harm_types=(*_HATE, "exploitation", "domestic_abuse", "other"),
                districts=("Newcastle upon Tyne", "Gateshead", "Sunderland"),
                languages=("eng", "ara", "fas", "kur", "tir", "pus"),
                ethnic_groups=("other_arab", "other_any", "asian_other", "black_african"),
                is_specialist=True,
            ),
        ),
    ),
    _commissioner_office(
        "demo-northumbria-commissioner",
        NORTHUMBRIA,
        "Northumbria",
        AccountSpec("analyst", "Callum Robson (demo)"),
    ),
    # --- Avon and Somerset ----------------------------------------------------------
    OrganisationSpec(
        slug="demo-severn-vale-victim-care",
        name="Severn Vale Victim Care",
        kind="universal",
        area=AVON_AND_SOMERSET,
        independence="commissioned",
        services=(
            ServiceSpec(name="Support after crime", description="For anyone affected by crime."),
        ),
    ),
    OrganisationSpec(
        slug="demo-avon-african-caribbean-advocacy",
        name="Avon African Caribbean Advocacy Circle",
        kind="specialist",
        area=AVON_AND_SOMERSET,
        independence="independent",
        services=(
            ServiceSpec(
                name="Advocacy for Black families after crime and hate",
                description="Advocates with lived experience; independent of the police.",
                harm_types=(*_HATE, "serious_violence", "domestic_abuse", "bereavement_by_crime"),
                districts=("Bristol, City of", "South Gloucestershire"),
                ethnic_groups=(
                    "black_caribbean",
                    "black_african",
                    "black_other",
                    "mixed_white_black_caribbean",
                    "mixed_white_black_african",
                ),
                is_specialist=True,
                lived_experience=True,
            ),
        ),
    ),
    _commissioner_office(
        "demo-avon-somerset-commissioner",
        AVON_AND_SOMERSET,
        "Avon and Somerset",
        AccountSpec("analyst", "Marcus Bennett (demo)"),
    ),
    # --- Metropolitan Police area ---------------------------------------------------
    OrganisationSpec(
        slug="demo-capital-victim-care",
        name="Capital Victim Care",
        kind="universal",
        area=METROPOLITAN,
        independence="commissioned",
        services=(
            ServiceSpec(
                name="Support for Londoners affected by crime",
                description="Free support across London; interpreters in many languages.",
                languages=("eng", "pol", "ben", "som", "por", "spa", "tur"),
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-london-streets-lived-experience",
        name="London Streets Lived Experience Project",
        kind="specialist",
        area=METROPOLITAN,
        independence="independent",
        services=(
            ServiceSpec(
                name="Youth workers with lived experience, after violence",
                description=(
                    "We meet young people where they are, including those moved out of London "
                    "for their safety, and keep going with them."
                ),
                harm_types=_YOUTH_VIOLENCE,
                districts=("Lambeth", "Southwark", "Hackney", "Newham", "Croydon", "Brent"),
                is_specialist=True,
                accepts_out_of_area=True,
                lived_experience=True,
                minimum_age=11,
                maximum_age=25,
            ),
        ),
    ),
    OrganisationSpec(
        slug="demo-clear-path-autism-crime",
        name="Clear Path Autism and Crime Support",
        kind="specialist",
        area=METROPOLITAN,
        independence="independent",
        services=(
            ServiceSpec(
                name="Support for autistic people after crime",
                description=(
                    "For autistic people and people with learning disabilities, and their "
                    "families, anywhere in England and Wales. Easy read and video guides."
                ),
                languages=("eng", "bfi"),
                disabilities=("autism", "learning_disability"),
                is_specialist=True,
                is_national=True,
            ),
        ),
    ),
    _commissioner_office(
        "demo-london-commissioner",
        METROPOLITAN,
        "London",
        AccountSpec("analyst", "Aisha Mensah (demo)"),
    ),
)

# The password of every demo account. Printed by ``seed-demo``; demo data never mixes with
# real data, so this never guards anything real.
DEMO_PASSWORD = "synthetic-demo-only-2026"  # noqa: S105 - printed on purpose, demo only
DEMO_EMAIL_DOMAIN = "demo.bridgeway.example"

DEMO_ROUND_COMMISSIONER = "demo-west-yorkshire-commissioner"
DEMO_ROUND_APPLICANTS = (
    "demo-pennine-asian-womens-service",
    "demo-second-chapter-youth",
)
