"""Template filters for the GOV.UK field templates in ``site/fields/``."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id an error-summary link about ``field`` goes to.

    A text box, textarea or select has its own id. Radios and checkboxes have none as a group
    (Django leaves ``id_for_label`` empty so a label does not point at one option), and GOV.UK
    links to the first option's input instead.
    """
    if field.id_for_label:
        return str(field.id_for_label)
    options = field.subwidgets
    return str(options[0].id_for_label) if options else str(field.auto_id)
