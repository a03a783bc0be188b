"""Plain-words, translatable labels for vocabulary codes, for the public pages.

The vocabulary files hold one English label per code for staff and statistics. People
seeking help see these instead: everyday words (no legal terms, never "victim"), marked for
translation. Codes never change; only what is shown does. A code with no public label falls
back to the vocabulary's own label, so a new code never breaks a page.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, languages, vocabulary

HARM_TYPES: dict[str, Promise] = {
    "hate_incident": _("Someone was hostile to me because of who I am"),
    "hate_crime": _("Someone hurt or threatened me, or damaged my things, because of who I am"),
    "domestic_abuse": _("A partner, ex-partner or family member hurts, controls or frightens me"),
    "sexual_violence": _("Someone did something sexual to me that I did not agree to"),
    "serious_violence": _("I was attacked, or threatened with a knife or other weapon"),
    "exploitation": _(
        "Someone is making me do things for them, like carrying drugs, sex or work I cannot leave"
    ),
    "harassment_stalking": _("Someone keeps following me, messaging me or turning up"),
    "robbery_burglary_theft": _("Something was stolen from me, or my home was broken into"),
    "fraud": _("I was tricked out of money or personal details"),
    "antisocial_behaviour": _("People keep causing trouble or nuisance where I live"),
    "bereavement_by_crime": _("Someone close to me died because of a crime"),
    "honour_based_abuse": _(
        "My family or community is controlling me or forcing me to marry, to protect their “honour”"
    ),
    "other": pgettext_lazy("what happened", "Something else"),
}

HATE_STRANDS: dict[str, Promise] = {
    "race": _("Race, ethnicity, nationality or skin colour"),
    "religion": _("Religion or beliefs"),
    "sexual_orientation": _("Being gay, lesbian, bisexual or another sexual orientation"),
    "disability": _("Disability, including learning disability, autism or mental health"),
    "transgender": _("Being transgender"),
    "sex_gender": _("Sex or gender"),
    "alternative_subculture": _("How they dress or the group they belong to, like goth or punk"),
    "other": pgettext_lazy("what it was about", "Something else"),
}

ETHNIC_GROUPS: dict[str, Promise] = {
    "asian_bangladeshi": _("Bangladeshi"),
    "asian_chinese": _("Chinese"),
    "asian_indian": _("Indian"),
    "asian_pakistani": _("Pakistani"),
    "asian_other": _("Any other Asian background"),
    "black_african": _("African"),
    "black_caribbean": _("Caribbean"),
    "black_other": _("Any other Black, Black British, Black Welsh or Caribbean background"),
    "mixed_white_asian": _("White and Asian"),
    "mixed_white_black_african": _("White and Black African"),
    "mixed_white_black_caribbean": _("White and Black Caribbean"),
    "mixed_other": _("Any other Mixed or Multiple ethnic background"),
    "white_british": _("English, Welsh, Scottish, Northern Irish or British"),
    "white_irish": _("Irish"),
    "white_gypsy_irish_traveller": _("Gypsy or Irish Traveller"),
    "white_roma": _("Roma"),
    "white_other": _("Any other White background"),
    "other_arab": _("Arab"),
    "other_any": _("Any other ethnic group"),
}

# The ONS high-level groups: headings that group the choices, never an answer themselves.
ETHNIC_GROUP_HEADINGS: dict[str, Promise] = {
    "asian": _("Asian, Asian British or Asian Welsh"),
    "black": _("Black, Black British, Black Welsh, Caribbean or African"),
    "mixed": _("Mixed or Multiple ethnic groups"),
    "white": _("White"),
    "other": _("Other ethnic group"),
}

AGE_BANDS: dict[str, Promise] = {
    "under_18": _("Under 18"),
    "18_24": _("18 to 24"),
    "25_34": _("25 to 34"),
    "35_44": _("35 to 44"),
    "45_54": _("45 to 54"),
    "55_64": _("55 to 64"),
    "65_plus": _("65 or over"),
}

NOT_KNOWN: dict[str, Promise] = {
    "not_asked": _("Not asked"),
    "prefer_not_to_say": _("Prefer not to say"),
    "not_recorded": _("Not recorded"),
}

# What a stage means to the person who made the report, in their words.
FUNNEL_STAGES: dict[str, Promise] = {
    "referred": _("We have it. No one has been in touch yet."),
    "contacted": _("Someone has been in touch."),
    "assessed": _("Someone has talked through what support could help."),
    "offered": _("Support has been offered."),
    "accepted": _("Support was accepted."),
    "declined": _("Support was not taken up."),
    "started": _("Support has started."),
    "closed": _("It is closed. Nothing more is planned."),
}

INDEPENDENCE: dict[str, Promise] = {
    "independent": _("Independent: run by a charity or community group, not the police"),
    "commissioned": _("Paid for with public money but run independently of the police"),
    "police_linked": _("Run by or with the police"),
    "statutory": _("Run by a public body, such as the NHS or a council"),
}

_BY_VOCABULARY: dict[str, dict[str, Promise]] = {
    "harm_types": HARM_TYPES,
    "hate_strands": HATE_STRANDS,
    "ethnic_groups": ETHNIC_GROUPS,
    "age_bands": AGE_BANDS,
    "not_known": NOT_KNOWN,
    "funnel_stages": FUNNEL_STAGES,
    "independence": INDEPENDENCE,
}


def public_label(vocabulary_name: str, code: str) -> str:
    """The plain-words label of ``code`` in the active language.

    Falls back to the vocabulary's own label (then the code) so an unforeseen code still
    shows something readable. The three not-known codes are understood for every
    characteristic.
    """
    if vocabulary_name == "languages":
        language = languages().get(code)
        return language.endonym if language else code
    labels = _BY_VOCABULARY.get(vocabulary_name, {})
    if code in labels:
        return str(labels[code])
    if code in NOT_KNOWN_CODES:
        return str(NOT_KNOWN[code])
    if code in vocabulary(vocabulary_name):
        return vocabulary(vocabulary_name).label(code)
    return code


def public_choices(vocabulary_name: str) -> list[tuple[str, str]]:
    """Every code of a vocabulary with its public label, in the vocabulary's order."""
    return [
        (code, public_label(vocabulary_name, code))
        for code in vocabulary(vocabulary_name).ordered_codes()
    ]


def ethnic_group_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 19 ONS 2021 ethnic groups, grouped under their high-level headings.

    The shape Django's ``ChoiceField`` renders as ``<optgroup>``s; headings are not choices.
    """
    grouped: dict[str, list[tuple[str, str]]] = {}
    for term in vocabulary("ethnic_groups"):
        grouped.setdefault(term.extra["high_level_code"], []).append(
            (term.code, public_label("ethnic_groups", term.code))
        )
    return [
        (str(ETHNIC_GROUP_HEADINGS.get(heading, heading)), choices)
        for heading, choices in grouped.items()
    ]


def language_choices() -> list[tuple[str, str]]:
    """The vocabulary's languages (ISO 639-3 codes), each named in itself."""
    return [(language.code, language.endonym) for language in languages().values()]
