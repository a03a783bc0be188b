"""The person who reported adds screenshots or photos from their follow-up page (issue 15,
item 9): only with their report open, cleaned and sealed, a fake PNG refused by name."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import AuditEntry, Evidence, Referral
from bridgeway.casework.services import PersonDetails, report_create
from bridgeway.casework.services.evidence import evidence_bytes

FOLLOW_UP = "/en/report/follow-up/"
PICTURES = "/en/report/follow-up/pictures/"


@pytest.fixture
def made_report(reporting_centre: Organisation) -> tuple[Referral, str]:
    return report_create(
        organisation=reporting_centre,
        details=PersonDetails(),
        contact=None,
        is_anonymous=True,
        narrative="Messages calling me names every night on a group chat.",
        hate_strands=["race"],
    )


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Phone of the person"
    exif[0x8825] = {1: "N", 2: (53.0, 47.0, 51.0)}
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (0, 120, 0)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _opened(made_report: tuple[Referral, str]) -> Client:
    referral, code = made_report
    client = Client()
    response = client.post(FOLLOW_UP, {"reference": referral.reference, "code": code}, follow=True)
    assert "Add screenshots or photos to your report" in response.content.decode()
    return client


def _send(client: Client, data: bytes, name: str, content_type: str):
    return client.post(
        PICTURES, {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    )


def test_the_person_adds_a_photo_and_its_location_is_gone(made_report):
    client = _opened(made_report)

    response = _send(client, _photo_with_gps(), "chat.jpg", "image/jpeg")

    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].endswith("/report/follow-up/pictures/"), response["Location"]
    evidence = Evidence.objects.get(referral=made_report[0])
    assert evidence.added_by is None
    kept = Image.open(io.BytesIO(evidence_bytes(evidence)))
    assert not kept.getexif()
    page = client.get(PICTURES).content.decode()
    assert "We have 1 picture from you." in page
    entry = AuditEntry.objects.get(action="evidence.add")
    assert entry.detail["by_person"] is True


def test_a_file_claiming_to_be_png_that_is_not_is_refused_and_nothing_kept(made_report):
    client = _opened(made_report)

    response = _send(client, b"MZ\x90\x00 not a picture", "screenshot.png", "image/png")

    assert response.status_code == 400
    text = response.content.decode()
    assert "could not be opened as a picture" in text
    assert "No picture was added." in text
    assert not Evidence.objects.exists()


def test_without_an_open_report_the_page_sends_the_person_to_the_start(made_report):
    client = Client()

    assert client.get(PICTURES)["Location"].endswith("/report/follow-up/")
    response = _send(client, _photo_with_gps(), "chat.jpg", "image/jpeg")
    assert response.status_code == 302
    assert not Evidence.objects.exists()
