"""The form a member of staff uses to keep a screenshot or photo the person sent them."""

from __future__ import annotations

from django import forms
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
