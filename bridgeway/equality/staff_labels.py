"""The vocabulary's own labels, as staff see them, marked for translation (decision 0071).

The vocabulary files hold one English label per code, the words staff and statistics use
("Hate crime", "Support offered"); ``labels.py`` holds the plain words the public pages use
instead. Staff pages speak Welsh too, so each staff label is written here as a literal that
``makemessages`` finds, and shown in the active language. A test checks these stay the
same as the vocabulary files' labels, so a label changed there is changed here as well.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bridgeway.equality.vocabulary import NOT_KNOWN_CODES, UnknownCode, languages, vocabulary

STAFF_LABELS: dict[str, dict[str, Promise]] = {
    "age_bands": {
        "under_18": _("Under 18"),
        "18_24": _("18 to 24"),
        "25_34": _("25 to 34"),
        "35_44": _("35 to 44"),
        "45_54": _("45 to 54"),
        "55_64": _("55 to 64"),
        "65_plus": _("65 and over"),
    },
    "decline_reasons": {
        "outside_area": _("Outside the area we cover"),
        "service_full": _("The service is full"),
        "other_help_needed": _("Needs another kind of help"),
        "not_eligible": _("Does not meet the service's criteria"),
        "could_not_contact": _("Could not contact the person"),
        "person_withdrew": _("The person withdrew or did not want support"),
        "already_supported": _("Already supported elsewhere"),
        "other": _("Another reason"),
    },
    "disabilities": {
        "learning_disability": _("Learning disability"),
        "autism": _("Autism or other neurodivergence"),
        "mental_health": _("Mental health condition"),
        "physical": _("Physical or mobility impairment"),
        "sight": _("Blind or partially sighted"),
        "deaf_hearing": _("Deaf or hard of hearing"),
        "long_term_illness": _("Long-term illness"),
        "other": _("Other"),
    },
    "ethnic_groups": {
        "asian_bangladeshi": _("Bangladeshi"),
        "asian_chinese": _("Chinese"),
        "asian_indian": _("Indian"),
        "asian_pakistani": _("Pakistani"),
        "asian_other": _("Other Asian"),
        "black_african": _("African"),
        "black_caribbean": _("Caribbean"),
        "black_other": _("Other Black"),
        "mixed_white_asian": _("White and Asian"),
        "mixed_white_black_african": _("White and Black African"),
        "mixed_white_black_caribbean": _("White and Black Caribbean"),
        "mixed_other": _("Other Mixed or Multiple ethnic groups"),
        "white_british": _("English, Welsh, Scottish, Northern Irish or British"),
        "white_irish": _("Irish"),
        "white_gypsy_irish_traveller": _("Gypsy or Irish Traveller"),
        "white_roma": _("Roma"),
        "white_other": _("Other White"),
        "other_arab": _("Arab"),
        "other_any": _("Any other ethnic group"),
    },
    "funnel_stages": {
        "referred": _("Referred or reported, not contacted yet"),
        "contacted": _("Contact made with the person"),
        "assessed": _("Needs assessed"),
        "offered": _("Support offered"),
        "accepted": _("Support accepted"),
        "declined": _("Support declined"),
        "started": _("Support started"),
        "closed": _("Case closed"),
    },
    "harm_types": {
        "hate_incident": _("Hate incident (not a crime)"),
        "hate_crime": _("Hate crime"),
        "domestic_abuse": _("Domestic abuse"),
        "sexual_violence": _("Rape or sexual violence"),
        "serious_violence": _("Serious violence, including knife crime"),
        "exploitation": _(
            "Exploitation, including criminal and sexual exploitation and modern slavery"
        ),
        "harassment_stalking": _("Harassment or stalking"),
        "robbery_burglary_theft": _("Robbery, burglary or theft"),
        "fraud": _("Fraud or scams"),
        "antisocial_behaviour": _("Anti-social behaviour"),
        "bereavement_by_crime": _("Bereavement by homicide or fatal crime"),
        "honour_based_abuse": _("So-called honour-based abuse, including forced marriage"),
        "other": _("Something else"),
    },
    "hate_strands": {
        "race": _("Race or ethnicity (including nationality and skin colour)"),
        "religion": _("Religion or belief"),
        "sexual_orientation": _("Sexual orientation"),
        "disability": _("Disability"),
        "transgender": _("Transgender identity"),
        "sex_gender": _("Sex or gender (locally monitored)"),
        "alternative_subculture": _("Alternative subculture (locally monitored)"),
        "other": _("Other"),
    },
    "not_known": {
        "not_asked": _("Not asked"),
        "prefer_not_to_say": _("Prefer not to say"),
        "not_recorded": _("Not recorded"),
    },
    "referral_channels": {
        "self": _("The person themselves"),
        "third_party_report": _(
            "Third-party report (someone reporting on another's behalf or a reporting centre)"
        ),
        "police": _("Police"),
        "other_agency": _("Another agency (school, health, council, charity)"),
        "family_friend": _("Family member or friend"),
        "phone": _("Phone call to the organisation"),
        "drop_in": _("Drop-in or in person"),
        "email": _("Email to the organisation"),
        "school": _("School or college"),
        "health": _("Health service (GP, hospital, mental health)"),
    },
    "religions": {
        "no_religion": _("No religion"),
        "christian": _("Christian"),
        "buddhist": _("Buddhist"),
        "hindu": _("Hindu"),
        "jewish": _("Jewish"),
        "muslim": _("Muslim"),
        "sikh": _("Sikh"),
        "other_religion": _("Any other religion"),
    },
    "sexes": {
        "female": _("Female"),
        "male": _("Male"),
    },
    "sexual_orientations": {
        "straight": _("Straight or heterosexual"),
        "gay_lesbian": _("Gay or lesbian"),
        "bisexual": _("Bisexual"),
        "other": _("Other sexual orientation"),
    },
    "independence": {
        "independent": _("Independent"),
        "commissioned": _("Commissioned but independent"),
        "police_linked": _("Police-linked"),
        "statutory": _("Statutory"),
    },
    # A language by its English name; Welsh pages name it in Welsh.
    "languages": {
        "eng": _("English"),
        "cym": _("Welsh"),
        "pol": _("Polish"),
        "ron": _("Romanian"),
        "pan": _("Panjabi"),
        "urd": _("Urdu"),
        "por": _("Portuguese"),
        "spa": _("Spanish"),
        "ara": _("Arabic"),
        "ben": _("Bengali"),
        "syl": _("Sylheti"),
        "guj": _("Gujarati"),
        "ita": _("Italian"),
        "yue": _("Cantonese"),
        "cmn": _("Mandarin Chinese"),
        "lit": _("Lithuanian"),
        "fra": _("French"),
        "bul": _("Bulgarian"),
        "tam": _("Tamil"),
        "tur": _("Turkish"),
        "fas": _("Persian (Farsi)"),
        "rus": _("Russian"),
        "hun": _("Hungarian"),
        "som": _("Somali"),
        "pus": _("Pashto"),
        "kur": _("Kurdish"),
        "hin": _("Hindi"),
        "mal": _("Malayalam"),
        "ell": _("Greek"),
        "nep": _("Nepali"),
        "lav": _("Latvian"),
        "tir": _("Tigrinya"),
        "amh": _("Amharic"),
        "ukr": _("Ukrainian"),
        "yor": _("Yoruba"),
        "aka": _("Akan (Twi)"),
        "sqi": _("Albanian"),
        "vie": _("Vietnamese"),
        "rom": _("Romani"),
        "heb": _("Hebrew"),
        "yid": _("Yiddish"),
        "bfi": _("British Sign Language"),
    },
}

# The five ONS high-level groups the 19 ethnic groups roll up to (``high_level_code`` and
# ``high_level_label`` in ethnic_groups.csv), for tables shown by the five.
HIGH_LEVEL_ETHNIC_GROUPS: dict[str, Promise] = {
    "asian": _("Asian, Asian British or Asian Welsh"),
    "black": _("Black, Black British, Black Welsh, Caribbean or African"),
    "mixed": _("Mixed or Multiple ethnic groups"),
    "white": _("White"),
    "other": _("Other ethnic group"),
}

# What each kind of independence means, shown beside its label in the listing editor.
INDEPENDENCE_MEANINGS: dict[str, Promise] = {
    "independent": _(
        "run by a charity or community group with no police or PCC control over its work"
    ),
    "commissioned": _("funded by a PCC or other public body, run independently"),
    "police_linked": _("run by or inside the police or a PCC office"),
    "statutory": _("run by another public body (NHS, council)"),
}


def staff_label(vocabulary_name: str, code: str) -> str:
    """The staff label of ``code`` in the active language.

    A not-known code (not asked, prefer not to say, not recorded) is understood for every
    characteristic. A code with no entry here falls back to the vocabulary's English label,
    then to the code itself, so a new or retired code still shows rather than vanishing.
    """
    labels = STAFF_LABELS.get(vocabulary_name, {})
    if code in labels:
        return str(labels[code])
    if code in NOT_KNOWN_CODES:
        return str(STAFF_LABELS["not_known"][code])
    try:
        if vocabulary_name == "languages":
            language = languages().get(code)
            return language.english_name if language else code
        return vocabulary(vocabulary_name).label(code)
    except (UnknownCode, KeyError):
        return code


def high_level_ethnic_group_label(code: str) -> str:
    """The staff label of a high-level ethnic group in the active language (else the code)."""
    label = HIGH_LEVEL_ETHNIC_GROUPS.get(code)
    return code if label is None else str(label)


def staff_choices(vocabulary_name: str) -> list[tuple[str, str]]:
    """(code, staff label) for every code of a vocabulary, in its order."""
    if vocabulary_name == "languages":
        return [(code, staff_label("languages", code)) for code in languages()]
    return [
        (code, staff_label(vocabulary_name, code))
        for code in vocabulary(vocabulary_name).ordered_codes()
    ]
