"""Screenshots and photos with a report: checked, cleaned of metadata, sealed, kept to the
organisation, passed on only under a consent that covers them (issue 15, item 9)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image, PngImagePlugin

from bridgeway.casework.evidence_images import MAX_BYTES, Refused, evidence_image_clean
from bridgeway.casework.models import AuditEntry, Consent, Evidence
from bridgeway.casework.services import (
    consent_record,
    onward_referral_create,
    referral_advance,
    referral_anonymise,
)
from bridgeway.casework.services.evidence import evidence_attach, evidence_bytes

# EXIF tags: 0x8825 points at the GPS block; 0x0110 is the camera or phone model.
GPS_IFD = 0x8825
MODEL = 0x0110


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[MODEL] = "Pixel 7 of A. Person"
    exif[GPS_IFD] = {1: "N", 2: (53.0, 47.0, 51.0), 3: "W", 4: (1.0, 32.0, 54.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _screenshot_with_text() -> bytes:
    image = Image.new("RGBA", (30, 20), (10, 20, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "A. Person, 12 Mill Lane")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


# --- the pure checks --------------------------------------------------------------------------


def test_photo_loses_its_gps_position_and_phone_model():
    source = _photo_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)

    clean = evidence_image_clean(source, "image/jpeg")

    kept = Image.open(io.BytesIO(clean.content))
    assert kept.format == "JPEG"
    assert (kept.width, kept.height) == (64, 48)
    assert not kept.getexif()
    assert b"Pixel 7" not in clean.content
    assert b"Exif" not in clean.content


def test_screenshot_loses_its_text_chunks_and_keeps_its_pixels():
    clean = evidence_image_clean(_screenshot_with_text(), "image/png")

    kept = Image.open(io.BytesIO(clean.content))
    assert kept.format == "PNG"
    assert not kept.text  # type: ignore[attr-defined]
    assert b"Mill Lane" not in clean.content
    assert kept.convert("RGBA").getpixel((5, 5)) == (10, 20, 30, 255)


def test_a_file_claiming_to_be_png_that_is_a_jpeg_is_refused():
    with pytest.raises(Refused) as refusal:
        evidence_image_clean(_photo_with_gps(), "image/png")
    assert refusal.value.reason == "mismatch"


def test_a_file_claiming_to_be_png_that_is_not_a_picture_is_refused():
    with pytest.raises(Refused) as refusal:
        evidence_image_clean(b"\x89PNG\r\n\x1a\n but then a script <script>", "image/png")
    assert refusal.value.reason == "not_image"


@pytest.mark.parametrize(
    ("data", "declared", "reason"),
    [
        (b"%PDF-1.7", "application/pdf", "type"),
        (b"<svg onload=alert(1)>", "image/svg+xml", "type"),
        (b"", "image/png", "empty"),
        (b"x" * (MAX_BYTES + 1), "image/png", "size"),
    ],
)
def test_wrong_types_empty_and_oversized_files_are_refused(data, declared, reason):
    with pytest.raises(Refused) as refusal:
        evidence_image_clean(data, declared)
    assert refusal.value.reason == reason


def test_a_picture_with_too_many_pixels_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")
    with pytest.raises(Refused) as refusal:
        evidence_image_clean(out.getvalue(), "image/png")
    assert refusal.value.reason == "pixels"


# --- the service ------------------------------------------------------------------------------


def test_evidence_is_sealed_at_rest_and_audited(referral, practitioner):
    evidence = evidence_attach(
        referral=referral,
        data=_screenshot_with_text(),
        declared_type="image/png",
        actor=practitioner,
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM casework_evidence WHERE id = %s", [evidence.pk.hex])
        row = cursor.fetchone()
        if row is None:  # PostgreSQL stores the UUID as a UUID, SQLite as hex text.
            cursor.execute("SELECT content FROM casework_evidence WHERE id = %s", [evidence.pk])
            row = cursor.fetchone()
    raw = row[0]
    assert raw.startswith("fernet:")
    assert "iVBORw0KGgo" not in raw  # a PNG's first bytes in base64
    assert evidence_bytes(Evidence.objects.get(pk=evidence.pk))[:8] == b"\x89PNG\r\n\x1a\n"
    entry = AuditEntry.objects.get(action="evidence.add", object_id=str(evidence.pk))
    assert entry.actor == practitioner
    assert "Mill Lane" not in str(entry.detail)


def test_outsider_cannot_add_evidence_to_a_case_and_nothing_is_kept(referral, outsider):
    with pytest.raises(PermissionDenied):
        evidence_attach(
            referral=referral,
            data=_screenshot_with_text(),
            declared_type="image/png",
            actor=outsider,
        )
    assert not Evidence.objects.exists()


def test_refused_file_changes_nothing(referral, practitioner):
    with pytest.raises(ValidationError) as error:
        evidence_attach(
            referral=referral, data=_photo_with_gps(), declared_type="image/png", actor=practitioner
        )
    assert "not the kind of picture" in error.value.message_dict["file"][0]
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.add").exists()


def _onward_consent(referral, actor, organisation, includes):
    return consent_record(
        person=referral.person,
        scope=Consent.Scope.ONWARD_REFERRAL,
        actor=actor,
        given_how=Consent.GivenHow.PHONE,
        recipient_organisation=organisation,
        includes=includes,
    )


def test_evidence_goes_on_only_under_a_consent_that_includes_it(
    referral, practitioner, other_organisation, other_service
):
    evidence_attach(
        referral=referral, data=_photo_with_gps(), declared_type="image/jpeg", actor=practitioner
    )
    _onward_consent(referral, practitioner, other_organisation, [Consent.Item.NARRATIVE])
    without = onward_referral_create(referral=referral, service=other_service, actor=practitioner)
    assert without.onward_referral is not None
    assert not Evidence.objects.filter(referral=without.onward_referral).exists()

    _onward_consent(
        referral, practitioner, other_organisation, [Consent.Item.NARRATIVE, Consent.Item.EVIDENCE]
    )
    carried = onward_referral_create(referral=referral, service=other_service, actor=practitioner)
    assert carried.onward_referral is not None
    copies = list(Evidence.objects.filter(referral=carried.onward_referral))
    assert len(copies) == 1
    assert copies[0].copied_from is not None
    assert "evidence" in carried.items


def test_erasing_the_case_removes_its_pictures(referral, practitioner):
    evidence_attach(
        referral=referral, data=_photo_with_gps(), declared_type="image/jpeg", actor=practitioner
    )
    referral_advance(referral=referral, stage="closed", actor=practitioner)

    referral_anonymise(referral=referral)

    assert not Evidence.objects.filter(referral=referral).exists()


# --- the pages --------------------------------------------------------------------------------


def _upload(client, referral, data, name, content_type):
    return client.post(
        reverse("casework:evidence", kwargs={"reference": referral.reference}),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_practitioner_adds_a_photo_and_sees_it_without_its_location(referral, practitioner_client):
    response = _upload(practitioner_client, referral, _photo_with_gps(), "bus.jpg", "image/jpeg")
    assert response.status_code == 302

    page = practitioner_client.get(
        reverse("casework:evidence", kwargs={"reference": referral.reference})
    )
    assert page.status_code == 200
    evidence = Evidence.objects.get(referral=referral)
    shown = practitioner_client.get(
        reverse(
            "casework:evidence-image",
            kwargs={"reference": referral.reference, "evidence_id": evidence.pk},
        )
    )
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert not Image.open(io.BytesIO(shown.content)).getexif()
    assert AuditEntry.objects.filter(action="evidence.read", object_id=str(evidence.pk)).exists()


def test_a_fake_png_upload_is_refused_naming_the_field_and_nothing_is_kept(
    referral, practitioner_client
):
    response = _upload(
        practitioner_client, referral, b"GIF89a not really a png", "shot.png", "image/png"
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "could not be opened as a picture" in text
    assert "No picture was added." in text
    assert not Evidence.objects.exists()


def test_an_oversized_upload_is_refused(referral, practitioner_client):
    response = _upload(
        practitioner_client, referral, b"\xff\xd8" + b"0" * MAX_BYTES, "big.jpg", "image/jpeg"
    )

    assert response.status_code == 400
    assert "must be smaller than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_pdf_upload_is_refused(referral, practitioner_client):
    response = _upload(practitioner_client, referral, b"%PDF-1.7", "note.pdf", "application/pdf")

    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in response.content.decode()


def test_outsider_gets_404_for_the_pictures_and_cannot_add_one(
    referral, practitioner, outsider_client
):
    evidence = evidence_attach(
        referral=referral, data=_photo_with_gps(), declared_type="image/jpeg", actor=practitioner
    )
    kwargs = {"reference": referral.reference}

    assert outsider_client.get(reverse("casework:evidence", kwargs=kwargs)).status_code == 404
    image = reverse("casework:evidence-image", kwargs={**kwargs, "evidence_id": evidence.pk})
    assert outsider_client.get(image).status_code == 404
    response = _upload(outsider_client, referral, _photo_with_gps(), "a.jpg", "image/jpeg")
    assert response.status_code == 404
    assert Evidence.objects.count() == 1


def test_unknown_picture_id_is_404(referral, practitioner_client):
    url = reverse(
        "casework:evidence-image",
        kwargs={"reference": referral.reference, "evidence_id": "not-a-uuid"},
    )
    assert practitioner_client.get(url).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(referral, client):
    response = client.get(reverse("casework:evidence", kwargs={"reference": referral.reference}))
    assert response.status_code == 302
