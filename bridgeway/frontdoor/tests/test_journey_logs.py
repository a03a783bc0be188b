"""A whole public journey leaves nothing the person typed, and no code, in the logs.

Every record written while someone reports with their name and phone number, reads their
follow-up code, tries a wrong code, checks on the report and writes a message is formatted
as production formats it (one JSON object a line) and searched for each value entered.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import Referral
from bridgeway.operations.logs import JsonFormatter

NAME = "Zofia Wiśniewska-Okonkwo"
PHONE = "07700 900 461"
NARRATIVE = "Two men spat at me outside Hyde Park Picture House and called me a slur."
PLACE = "Brudenell Road corner"
MESSAGE = "It happened again on Thursday near the launderette."


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_whole_journey_logs_none_of_what_was_entered(
    client: Client, reporting_centre: Organisation, captured_logs: io.StringIO
) -> None:
    response = client.post(
        "/en/report/",
        {
            "narrative": NARRATIVE,
            "incident_day": "3",
            "incident_month": "2",
            "incident_year": "2025",
            "incident_place": PLACE,
            "postcode": "LS6 1AA",
            "hate_strands": ["race"],
            "identity": "named",
            "name_to_use": NAME,
            "channels": ["phone"],
            "phone": PHONE,
            "times": "Evenings",
            "wants_police_told": "no",
        },
    )
    assert response.status_code == 302
    done = client.get("/en/report/done/").content.decode()
    code = re.search(r'id="follow-up-code">([^<]+)<', done).group(1)  # type: ignore[union-attr]
    reference = Referral.objects.get().reference
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    client.post("/en/report/follow-up/", {"reference": reference, "code": wrong})
    client.post("/en/report/follow-up/", {"reference": reference, "code": code}, follow=True)
    sent = client.post("/en/report/follow-up/", {"action": "send", "text": MESSAGE}, follow=True)
    assert "Your message has been sent." in sent.content.decode()
    client.get("/en/no-such-page/")  # a 404, which Django logs with the path

    lines = captured_logs.getvalue().splitlines()
    assert lines, "the journey logged nothing at all; the capture is not working"
    assert all(isinstance(json.loads(line), dict) for line in lines)
    text = captured_logs.getvalue()
    for value in (
        NAME,
        "Wiśniewska",
        PHONE,
        PHONE.replace(" ", ""),
        "900 461",
        NARRATIVE,
        "spat at me",
        PLACE,
        MESSAGE,
        "launderette",
        code,
        wrong,
        "Evenings",
    ):
        assert value not in text, f"the logs hold {value!r}"
    assert all("request_id" in json.loads(line) for line in lines if '"django.request"' in line)
