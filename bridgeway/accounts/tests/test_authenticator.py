"""The authenticator key as text and as a QR code."""

from __future__ import annotations

import binascii

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.authenticator import (
    InvalidKey,
    key_from_secret,
    normalise_code,
    qr_code_svg,
    secret_for_display,
)


def test_known_key_shows_as_rfc_6238_base32():
    # The RFC 6238 test key "12345678901234567890".
    assert secret_for_display("3132333435363738393031323334353637383930") == (
        "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    )


@given(st.binary(min_size=1, max_size=40))
def test_shown_secret_gives_back_the_key(raw):
    hex_key = binascii.hexlify(raw).decode()

    shown = secret_for_display(hex_key)

    assert key_from_secret(shown) == hex_key
    assert key_from_secret(shown.lower()) == hex_key
    assert all(len(group) <= 4 for group in shown.split(" "))
    assert set(shown) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 ")


@pytest.mark.parametrize("bad", ["xyz", "abc", "zz00"])
def test_non_hex_key_is_refused(bad):
    with pytest.raises(InvalidKey):
        secret_for_display(bad)


def test_qr_code_is_inline_svg_with_a_title_and_white_background():
    svg = qr_code_svg("otpauth://totp/Bridgeway:a%40b.org?secret=GEZDGNBV", title="Scan me")

    assert svg.startswith("<svg")
    assert "<title>Scan me</title>" in svg
    assert "#fff" in svg
    assert "<script" not in svg
    assert "http" not in svg.split("<title>")[0]


@given(st.from_regex(r"[0-9]{3}[ -]?[0-9]{3}", fullmatch=True))
def test_six_digits_with_a_space_or_dash_are_a_code(text):
    assert normalise_code(text) == text.replace(" ", "").replace("-", "")


@given(st.text(max_size=12))
def test_anything_but_six_digits_is_not_a_code(text):
    code = normalise_code(text)

    assert code is None or (len(code) == 6 and code.isascii() and code.isdigit())
