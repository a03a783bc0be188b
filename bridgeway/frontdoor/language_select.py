"""A select of languages whose options keep their own language and direction."""

from __future__ import annotations

from typing import Any

from django import forms

from bridgeway.equality.vocabulary import languages


class LanguageSelect(forms.Select):
    """A GOV.UK select of languages, each option marked with its language and direction.

    The options are endonyms ("اردو", "ਪੰਜਾਬੀ"): marked, a screen reader says each in its own
    voice and a right-to-left name keeps its letters in order on a left-to-right page.
    """

    def __init__(self) -> None:
        super().__init__(attrs={"class": "govuk-select"})

    def create_option(  # type: ignore[no-untyped-def]  # Django's own signature
        self, name, value, label, selected, index, subindex=None, attrs=None
    ) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(
            name, value, label, selected, index, subindex, attrs
        )
        language = languages().get(str(value))
        if language is not None:
            option["attrs"] = {
                **option["attrs"],
                "lang": language.bcp47,
                "dir": language.direction,
            }
        return option
