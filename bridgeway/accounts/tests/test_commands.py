"""``bridgeway create-staff`` and ``bridgeway reset-authenticator``."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgeway.accounts.authenticator import key_from_secret
from bridgeway.accounts.models import Membership, User

GOOD_PASSWORD = "plum orchard kettle 1987"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(GOOD_PASSWORD + "\n", encoding="utf-8")
    return path


def test_create_staff_with_a_password_file(organisation, password_file):
    output = _run(
        "--email", "Ola@Example.org", "--name", "Ola Nordmann",
        "--organisation", organisation.slug, "--role", "organisation_admin",
        "--password-file", str(password_file),
    )  # fmt: skip

    user = User.objects.get(email="ola@example.org")
    assert user.check_password(GOOD_PASSWORD)
    assert user.password.startswith("argon2")
    assert Membership.objects.get(user=user).role == "organisation_admin"
    assert "Organisation administrator at Leeds Community Support" in output
    assert "At their first sign-in Bridgeway shows a QR code" in output


def test_create_staff_without_a_password_prints_a_set_up_link(organisation):
    output = _run(
        "--email", "ola@example.org", "--name", "Ola", "--organisation", organisation.slug,
        "--role", "practitioner", "--site-url", "https://bridgeway.example.org/",
    )  # fmt: skip

    assert re.search(r"https://bridgeway\.example\.org/staff/set-password/\S+/\S+/", output)
    assert not User.objects.get(email="ola@example.org").has_usable_password()


def test_create_staff_with_authenticator_prints_a_key_that_works(organisation, password_file):
    output = _run(
        "--email", "ola@example.org", "--name", "Ola", "--organisation", organisation.slug,
        "--role", "practitioner", "--password-file", str(password_file), "--with-authenticator",
    )  # fmt: skip

    device = TOTPDevice.objects.get(user__email="ola@example.org", confirmed=True)
    shown = re.search(r"^  ([A-Z2-7 ]{20,})$", output, re.MULTILINE)
    assert shown, "the key is printed on a line of its own"
    assert key_from_secret(shown.group(1)) == device.key
    assert "otpauth://totp/Bridgeway%3Aola%40example.org?secret=" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--organisation": "no-such-org"}, "No organisation has the slug 'no-such-org'"),
        ({"--role": "boss"}, "Unknown role 'boss'. Choose one of: practitioner"),
        ({"--email": "not-an-email"}, "email: Enter an email address in the correct format"),
        ({"--name": "   "}, "full name: Enter their full name."),
    ],
)
def test_create_staff_refuses_bad_input_and_changes_nothing(organisation, change, message):
    options = {
        "--email": "ola@example.org",
        "--name": "Ola",
        "--organisation": organisation.slug,
        "--role": "practitioner",
        **change,
    }
    before = User.objects.count()

    with pytest.raises(CommandError, match=re.escape(message)):
        _run(*[part for pair in options.items() for part in pair])

    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("\n", "is empty"),
        ("short\n", "This password is too short"),
        ("x" * 5000, "too big"),
    ],
)
def test_create_staff_refuses_an_unusable_password_file(organisation, tmp_path, content, message):
    path = tmp_path / "password"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        _run(
            "--email", "ola@example.org", "--name", "Ola", "--organisation", organisation.slug,
            "--role", "practitioner", "--password-file", str(path),
        )  # fmt: skip

    assert not User.objects.filter(email="ola@example.org").exists()


def test_create_staff_says_when_the_password_file_is_missing(organisation, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the password file"):
        _run(
            "--email", "ola@example.org", "--name", "Ola", "--organisation", organisation.slug,
            "--role", "practitioner", "--password-file", str(tmp_path / "missing"),
        )  # fmt: skip


def test_create_staff_does_not_give_a_second_authenticator(other_organisation, practitioner):
    with pytest.raises(CommandError, match="already has an authenticator app"):
        _run(
            "--email", practitioner.email, "--name", "X", "--organisation", "birmingham-outreach",
            "--role", "practitioner", "--with-authenticator",
        )  # fmt: skip


def test_create_staff_needs_every_required_option(organisation):
    with pytest.raises(CommandError, match="--role"):
        _run("--email", "ola@example.org", "--name", "Ola", "--organisation", organisation.slug)


def test_create_staff_exits_non_zero_from_the_command_line(organisation, capsys):
    from bridgeway.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(
            ["bridgeway", "create-staff", "--email", "a@example.org", "--name", "A",
             "--organisation", "no-such-org", "--role", "practitioner"]
        )  # fmt: skip

    assert exit_.value.code != 0
    assert "No organisation has the slug 'no-such-org'" in capsys.readouterr().err


def test_reset_authenticator_removes_the_persons_devices(practitioner):
    out = io.StringIO()

    call_command("reset_authenticator", "--email", practitioner.email.upper(), stdout=out)

    assert not TOTPDevice.objects.filter(user=practitioner).exists()
    assert "Removed 1 authenticator device(s)" in out.getvalue()


def test_reset_authenticator_dry_run_changes_nothing(practitioner):
    out = io.StringIO()

    call_command("reset_authenticator", "--email", practitioner.email, "--dry-run", stdout=out)

    assert TOTPDevice.objects.filter(user=practitioner).count() == 1
    assert "Would remove 1" in out.getvalue()


def test_reset_authenticator_for_an_unknown_email_fails(db):
    with pytest.raises(CommandError, match="No account has the email address"):
        call_command("reset_authenticator", "--email", "nobody@example.org")
