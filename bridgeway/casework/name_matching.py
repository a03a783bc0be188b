"""Names and contact details reduced to the forms a blind index is keyed on. Pure: no Django.

People's names reach an organisation written many ways: by the person, a police officer, a
teacher on the phone. South Asian and Arabic names in particular have several common
spellings in English letters (Mohammed, Muhammad, Mohammad, Mohamed; Hussain, Hussein,
Husain; Chaudhry, Choudhury, Chowdhury). Each name token is reduced to a *skeleton*:

1. case folded, accents removed, anything but letters dropped;
2. common spellings of the same sound made one (``ph`` as ``f``, ``q`` as ``k``, ``ow`` and
   ``ou`` as ``u``, ``ee`` as ``i``, an ``h`` after d, t, b, p, g or j dropped, a final ``h``
   after a vowel dropped);
3. the first letter kept and every later vowel (and ``y``, ``w``) dropped;
4. doubled letters made single.

So every spelling above of one name has one skeleton. The skeleton is deliberately coarse
(Mahmood and Mohammed share ``mhmd``): the index finds candidates, and a person confirms.
A few abbreviations (``Md``, ``Mohd``) are spelled out first.
"""

from __future__ import annotations

import re
import unicodedata

# Abbreviations of a whole name, written out before the skeleton is taken.
ABBREVIATIONS = {"md": "muhammad", "mohd": "muhammad", "muhd": "muhammad", "mhd": "muhammad"}
# Letter groups spelling one sound, replaced in this order.
_SOUNDS = (
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("z", "s"),
    ("ow", "u"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
)
_SILENT_H = re.compile(r"(?<=[dtbpgj])h")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_VOWELS = re.compile(r"[aeiouyw]")
_DOUBLED = re.compile(r"(.)\1+")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_DIGITS = re.compile(r"\D+")
_SPELLED_OUT = {ord("ø"): "o", ord("ł"): "l", ord("đ"): "d", ord("æ"): "ae"}


def plain_letters(text: str) -> str:
    """``text`` case folded, without accents, every run of non-letters one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # ß casefolds to "ss"; ø, ł, đ and æ have no decomposition and are spelled out.
    spelled = decomposed.translate(_SPELLED_OUT)
    bare = "".join(c for c in spelled if not unicodedata.combining(c))
    return _NOT_LETTERS.sub(" ", bare).strip()


def name_skeleton(token: str) -> str:
    """The skeleton of one name token (see the module's docstring); "" for no letters."""
    word = plain_letters(token).replace(" ", "")
    if not word:
        return ""
    word = ABBREVIATIONS.get(word, word)
    for written, sound in _SOUNDS:
        word = word.replace(written, sound)
    word = _SILENT_H.sub("", word)
    word = _FINAL_H.sub("", word)
    word = word[0] + _VOWELS.sub("", word[1:])
    return _DOUBLED.sub(r"\1", word)


def name_tokens(name: str) -> list[str]:
    """The distinct skeletons of a name's words, in order: what the name index holds."""
    skeletons = (name_skeleton(word) for word in plain_letters(name).split())
    return list(dict.fromkeys(s for s in skeletons if s))


def normal_email(email: str) -> str:
    """An email address as compared: trimmed and case folded ("" when it is not one)."""
    text = email.strip().casefold()
    return text if text.count("@") == 1 and "." in text.rsplit("@", 1)[1] else ""


def normal_phone(phone: str) -> str:
    """A UK phone number as its national digits (07700900982), "" when it has too few digits.

    ``+44``, ``0044`` and ``(0)`` forms become the leading 0, so one number written three
    ways is one index entry.
    """
    digits = _DIGITS.sub("", phone)
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and phone.strip().startswith("+"):
        digits = "0" + digits[2:]
    if digits.startswith("00"):
        digits = digits[1:]
    return digits if len(digits) >= 6 else ""
