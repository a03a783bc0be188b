"""``bridgeway serve`` reads ADDR:PORT strictly and says what is wrong with a bad one."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.site.management.commands.serve import (
    InvalidAddress,
    ListenAddress,
    parse_listen_address,
)

ports = st.integers(min_value=1, max_value=65535)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8000", ListenAddress("127.0.0.1", 8000)),
        ("0.0.0.0:80", ListenAddress("0.0.0.0", 80)),  # noqa: S104 - parsing, not binding
        ("localhost:8080", ListenAddress("localhost", 8080)),
        ("[::1]:8000", ListenAddress("::1", 8000)),
        ("9000", ListenAddress("127.0.0.1", 9000)),
        (" 127.0.0.1:65535 ", ListenAddress("127.0.0.1", 65535)),
    ],
)
def test_listen_address_forms_are_read(text, expected):
    assert parse_listen_address(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the address is empty"),
        ("127.0.0.1:0", "the port 0 in '127.0.0.1:0' is not between 1 and 65535"),
        ("127.0.0.1:70000", "the port 70000 in '127.0.0.1:70000' is not between 1 and 65535"),
        ("127.0.0.1:http", "the port 'http' in '127.0.0.1:http' is not a number"),
        ("127.0.0.1:", "the port '' in '127.0.0.1:' is not a number"),
        (":8000", "':8000' has no address before the colon"),
        ("::1:8000", "write an IPv6 address in brackets"),
        ("[127.0.0.1]:8000", "'127.0.0.1' in '[127.0.0.1]:8000' is not an IPv6 address"),
        ("[::1]8000", "is not [IPv6]:PORT"),
        ("bad host:8000", "'bad host' in 'bad host:8000' is not a host name or IP address"),
        ("-x:8000", "is not a host name or IP address"),
    ],
)
def test_bad_listen_address_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(InvalidAddress) as raised:
        parse_listen_address(text)
    assert message in str(raised.value)


@given(st.ip_addresses(v=4), ports)
def test_any_ipv4_address_and_port_reads_back_from_its_bind_form(address, port):
    parsed = parse_listen_address(f"{address}:{port}")
    assert parsed == ListenAddress(str(address), port)
    assert parse_listen_address(parsed.bind) == parsed
    assert parsed.url == f"http://{address}:{port}/"


@given(st.ip_addresses(v=6), ports)
def test_any_ipv6_address_and_port_reads_back_from_its_bind_form(address, port):
    parsed = parse_listen_address(f"[{address}]:{port}")
    assert ipaddress.ip_address(parsed.host) == address
    assert parsed.bind == f"[{address}]:{port}"
    assert parse_listen_address(parsed.bind) == parsed


@given(st.text(max_size=60))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        parsed = parse_listen_address(text)
    except InvalidAddress as error:
        message = str(error)
    else:
        assert 1 <= parsed.port <= 65535
        assert parse_listen_address(parsed.bind) == parsed
        return
    assert message != ""
