"""Screenshots and photos sent with the report itself (issue 15, item 9): several in one plain
file box, each checked and cleaned by casework's evidence service as from the follow-up page;
a refused file is named with what is wrong, and then nothing at all is kept; sent twice, the
report and its pictures are kept once."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from bridgeway.accounts.models import Membership, Organisation, User
from bridgeway.accounts.tests.factories import MembershipFactory
from bridgeway.casework.evidence_images import MAX_BYTES
from bridgeway.casework.models import AuditEntry, Evidence, Person, Referral
from bridgeway.casework.services.evidence import _refusal_message, evidence_bytes
from bridgeway.conftest import sign_in
from bridgeway.frontdoor.models import SubmissionKey
from bridgeway.frontdoor.tests.test_report import _answers
from bridgeway.frontdoor.tests.test_submission_keys import _key_in

REPORT = "/en/report/"

# EXIF tags: 0x8825 points at the GPS block; 0x0110 is the camera or phone model.
GPS_IFD = 0x8825
MODEL = 0x0110


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[MODEL] = "Phone of the person"
    exif[GPS_IFD] = {1: "N", 2: (53.0, 47.0, 51.0), 3: "W", 4: (1.0, 32.0, 54.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 120, 0)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _screenshot() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (10, 20, 30, 255)).save(out, format="PNG")
    return out.getvalue()


def _too_many_pixels() -> bytes:
    # 48 million one-bit pixels: a small file that would unpack into a very large picture.
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")
    return out.getvalue()


def _file(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _good_pictures() -> list[SimpleUploadedFile]:
    return [
        _file("bus stop.jpg", _photo_with_gps(), "image/jpeg"),
        _file("group chat.png", _screenshot(), "image/png"),
    ]


def _nothing_kept() -> None:
    assert not Referral.objects.exists()
    assert not Person.objects.exists()
    assert not Evidence.objects.exists()
    assert not SubmissionKey.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.fixture
def centre_worker(practitioner: User, reporting_centre: Organisation) -> User:
    MembershipFactory(
        user=practitioner, organisation=reporting_centre, role=Membership.Role.PRACTITIONER
    )
    return practitioner


def test_the_form_takes_several_pictures_without_scripts_and_says_location_is_removed(
    client: Client, reporting_centre: Organisation
) -> None:
    html = client.get(REPORT).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" multiple accept="image/png,image/jpeg,image/webp"' in html
    assert "You can add up to 5 pictures." in html
    assert "smaller than 8 MB." in html
    assert "We remove the location and the phone or camera details saved inside a photo." in html
    assert "victim" not in html.lower()


@pytest.mark.parametrize("language", ["en", "cy", "ur", "pa", "pl"])
def test_the_privacy_notice_says_photos_lose_their_location(client: Client, language: str) -> None:
    html = client.get(f"/{language}/privacy/").content.decode()
    with translation.override(language):
        said = translation.gettext(
            "Screenshots or photos, if you add them to a report. Before we keep a photo, we "
            "remove the location and the phone or camera details saved inside it."
        )
    assert said in html
    assert language == "en" or not said.startswith("Screenshots")


def test_a_report_with_a_photo_and_a_screenshot_keeps_both_cleaned_and_sealed(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post(REPORT, {**_answers(), "pictures": _good_pictures()})

    assert response.status_code == 302, response.content.decode()[:800]
    referral = Referral.objects.get()
    kept = list(Evidence.objects.filter(referral=referral).order_by("content_type"))
    assert [item.content_type for item in kept] == ["image/jpeg", "image/png"]
    assert all(item.added_by is None for item in kept)
    photo = Image.open(io.BytesIO(evidence_bytes(kept[0])))
    assert not photo.getexif()
    assert b"Phone of the person" not in evidence_bytes(kept[0])
    entries = AuditEntry.objects.filter(action="evidence.add")
    assert entries.count() == 2
    assert all(entry.detail["by_person"] is True for entry in entries)
    assert all(entry.organisation == reporting_centre for entry in entries)
    done = client.get("/en/report/done/").content.decode()
    assert "Screenshots or photos sent with your report: 2." in done


def test_a_report_without_pictures_is_made_as_before(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post(REPORT, _answers())

    assert response.status_code == 302
    assert Referral.objects.count() == 1
    assert not Evidence.objects.exists()
    assert "Screenshots or photos sent" not in client.get("/en/report/done/").content.decode()


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (
            _file("screenshot.png", b"MZ\x90\x00 not a picture", "image/png"),
            "screenshot.png: The file could not be opened as a picture.",
        ),
        (
            _file("photo.png", _photo_with_gps(), "image/png"),
            "photo.png: The file is not the kind of picture its name says.",
        ),
        (
            _file("big.jpg", b"\xff\xd8" + b"0" * MAX_BYTES, "image/jpeg"),
            "big.jpg: The picture must be smaller than 8 MB.",
        ),
        (
            _file("huge.png", _too_many_pixels(), "image/png"),
            "huge.png: The picture is too large to take.",
        ),
        (
            _file("letter.pdf", b"%PDF-1.7", "application/pdf"),
            "letter.pdf: Choose a picture saved as PNG, JPEG or WebP.",
        ),
        (_file("empty.jpg", b"", "image/jpeg"), "empty.jpg: The file you chose is empty."),
    ],
    ids=["not-a-png", "jpeg-called-png", "too-big", "too-many-pixels", "pdf", "empty"],
)
def test_a_refused_picture_is_named_and_nothing_is_kept(
    client: Client, reporting_centre: Organisation, bad: SimpleUploadedFile, problem: str
) -> None:
    bad.seek(0)
    key = _key_in(client.get(REPORT).content.decode())
    response = client.post(
        REPORT, {**_answers(), "submission_key": key, "pictures": [*_good_pictures(), bad]}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_pictures"' in html
    assert problem in html
    # The good pictures are not named: only what is wrong is.
    assert "bus stop.jpg" not in html
    assert "Choose them again before you send it." in html
    # What the person wrote is still there, and the form keeps its key.
    assert "A man shouted racist abuse at my neighbour" in html
    assert _key_in(html) == key
    _nothing_kept()


def test_every_refused_picture_is_named_at_once(
    client: Client, reporting_centre: Organisation
) -> None:
    pictures = [
        _file("one.png", b"not a picture", "image/png"),
        _file("two.gif", b"GIF89a", "image/gif"),
        _file("three.png", _screenshot(), "image/png"),
    ]
    html = client.post(REPORT, {**_answers(), "pictures": pictures}).content.decode()

    assert "one.png: The file could not be opened as a picture." in html
    assert "two.gif: Choose a picture saved as PNG, JPEG or WebP." in html
    assert "three.png" not in html
    _nothing_kept()


def test_a_file_name_is_shown_back_as_text_never_as_markup(
    client: Client, reporting_centre: Organisation
) -> None:
    bad = _file("<img src=x onerror=alert(1)>.png", b"not a picture", "image/png")
    html = client.post(REPORT, {**_answers(), "pictures": [bad]}).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.png: " in html
    _nothing_kept()


def test_more_pictures_than_a_report_takes_are_refused_before_anything_is_made(
    client: Client, reporting_centre: Organisation
) -> None:
    pictures = [_file(f"shot{number}.png", _screenshot(), "image/png") for number in range(6)]

    response = client.post(REPORT, {**_answers(), "pictures": pictures})

    assert response.status_code == 200
    assert "You can add up to 5 pictures with your report." in response.content.decode()
    _nothing_kept()


def test_a_mistake_elsewhere_keeps_no_picture_and_says_to_choose_them_again(
    client: Client, reporting_centre: Organisation
) -> None:
    response = client.post(REPORT, {**_answers(narrative=""), "pictures": _good_pictures()})

    html = response.content.decode()
    assert "Tell us what happened, in your own words." in html
    assert "Your pictures were not kept, because the report was not sent." in html
    _nothing_kept()


def test_the_refusal_is_in_the_page_language(
    client: Client, reporting_centre: Organisation
) -> None:
    bad = _file("llun.png", b"not a picture", "image/png")
    html = client.post("/cy/report/", {**_answers(), "pictures": [bad]}).content.decode()

    assert "llun.png: " in html
    assert "The file could not be opened as a picture" not in html
    assert "Nid oedd modd agor y ffeil fel llun" in html
    _nothing_kept()


@pytest.mark.parametrize("language", ["cy", "ur", "pa", "pl"])
def test_every_refusal_and_every_word_about_pictures_is_in_the_page_language(
    client: Client, reporting_centre: Organisation, language: str
) -> None:
    reasons = ["type", "empty", "size", "not_image", "mismatch", "pixels"]
    english = {reason: _refusal_message(reason) for reason in reasons}
    with translation.override(language):
        assert all(_refusal_message(reason) != english[reason] for reason in reasons)

    bad = _file("one.png", b"not a picture", "image/png")
    sent = client.post(f"/{language}/report/", {**_answers(), "pictures": [bad]})
    html = sent.content.decode()
    assert "one.png: " in html
    for english_words in [
        "Screenshots or photos",
        "You can add screenshots",
        "We remove the location",
        "Your pictures were not kept",
        "could not be opened",
    ]:
        assert english_words not in html, english_words
    _nothing_kept()


def test_a_report_sent_twice_with_pictures_keeps_one_report_and_its_pictures_once(
    reporting_centre: Organisation,
) -> None:
    page, retry = Client(), Client()
    key = _key_in(page.get(REPORT).content.decode())

    first = page.post(REPORT, {**_answers(), "submission_key": key, "pictures": _good_pictures()})
    second = retry.post(REPORT, {**_answers(), "submission_key": key, "pictures": _good_pictures()})

    assert first.status_code == second.status_code == 302
    referral = Referral.objects.get()
    assert Evidence.objects.filter(referral=referral).count() == 2
    assert Evidence.objects.count() == 2
    assert AuditEntry.objects.filter(action="evidence.add").count() == 2


def test_refused_then_sent_right_with_the_same_key_makes_the_report(
    client: Client, reporting_centre: Organisation
) -> None:
    key = _key_in(client.get(REPORT).content.decode())
    bad = _file("screenshot.png", b"not a picture", "image/png")
    client.post(REPORT, {**_answers(), "submission_key": key, "pictures": [bad]})
    _nothing_kept()

    again = client.post(REPORT, {**_answers(), "submission_key": key, "pictures": _good_pictures()})

    assert again.status_code == 302
    assert Evidence.objects.filter(referral=Referral.objects.get()).count() == 2


def test_the_centre_sees_the_pictures_on_the_referral_and_no_one_else_does(
    client: Client,
    reporting_centre: Organisation,
    centre_worker: User,
    outsider_client: Client,
) -> None:
    client.post(REPORT, {**_answers(), "pictures": _good_pictures()})
    referral = Referral.objects.get()
    staff = sign_in(Client(), centre_worker)
    kwargs: dict[str, Any] = {"reference": referral.reference}

    detail = staff.get(reverse("casework:referral-detail", kwargs=kwargs)).content.decode()
    evidence_url = reverse("casework:evidence", kwargs=kwargs)
    assert evidence_url in detail
    listing = staff.get(evidence_url).content.decode()
    assert listing.count("added by the person") == 2
    for evidence in Evidence.objects.filter(referral=referral):
        image_url = reverse(
            "casework:evidence-image", kwargs={**kwargs, "evidence_id": evidence.pk}
        )
        assert image_url in listing
        shown = staff.get(image_url)
        assert shown.status_code == 200
        assert shown["Content-Type"] == evidence.content_type
        assert not Image.open(io.BytesIO(shown.content)).getexif()
        assert outsider_client.get(image_url).status_code == 404
    assert outsider_client.get(evidence_url).status_code == 404
    assert AuditEntry.objects.filter(action="evidence.read").count() == 2
