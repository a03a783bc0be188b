"""django-otp-webauthn's script tags, loaded in an order that cannot race.

The package's own templates load Django's JavaScript catalog with ``async``, so its
passkey scripts (modules, run when the page has been read) may run first. Then the
buttons appear but their first word, ``gettext("Verifying...")``, throws, and "Use a
passkey instead" does nothing: on a cold or busy server, or a slow phone, someone who
clicks before the catalog arrives is stuck. Ours load the catalog with ``defer``, which
runs it before the modules, in the page's order, and still does not hold up reading.

The package's tag functions build the configuration (the ceremony URLs and the CSRF
token); only the templates are ours.
"""

from __future__ import annotations

from django import template
from django_otp_webauthn.templatetags.otp_webauthn import (
    render_otp_webauthn_auth_scripts,
    render_otp_webauthn_register_scripts,
)

register = template.Library()

register.inclusion_tag(
    "accounts/passkeys/auth_scripts.html", takes_context=True, name="passkey_auth_scripts"
)(render_otp_webauthn_auth_scripts)
register.inclusion_tag(
    "accounts/passkeys/register_scripts.html", takes_context=True, name="passkey_register_scripts"
)(render_otp_webauthn_register_scripts)
