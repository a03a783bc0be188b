"""The form a member of staff uses to keep a screenshot or photo the person sent them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class EvidenceForm(forms.Form):
    """One picture; its type, size and contents are checked by ``evidence_attach``."""

    file = forms.FileField(
        label=_("Screenshot or photo"),
        help_text=_(
            "PNG, JPEG or WebP. Location, camera and other details saved in the file are removed."
        ),
        error_messages={
            "required": _("Choose a screenshot or photo to add."),
            "invalid": _("Choose a screenshot or photo to add."),
            "empty": _("The file you chose is empty. Choose the picture again."),
        },
    )


class _PicturesInput(forms.FileInput):
    allow_multiple_selected = True


class PicturesField(forms.Field):
    """Several pictures from one file box (``<input type=file multiple>``), none required.

    Cleans to the list of files chosen; only how many is checked here. Each file's type,
    size and contents are checked by ``evidence_attach``, as for one picture at a time, so a
    refusal can name the file and say what is wrong with it.
    """

    widget = _PicturesInput

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[UploadedFile[bytes]]:
        items = value if isinstance(value, list | tuple) else [value]
        # An empty file box sends no file at all; anything that is not a file is not one.
        chosen = [item for item in items if isinstance(item, UploadedFile)]
        if len(chosen) > self.limit:
            raise forms.ValidationError(
                _(
                    "You can add up to %(limit)s pictures with your report. You can add more "
                    "later, when you check on your report."
                ),
                code="too_many",
                params={"limit": self.limit},
            )
        return chosen
