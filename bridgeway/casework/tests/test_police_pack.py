"""The police handover pack: a PDF holding only what the consent covers, audited, and listed for
the person on the follow-up page (issue 15, item 10)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from bridgeway.accounts.models import Membership
from bridgeway.casework.models import AuditEntry, Consent
from bridgeway.casework.selectors import sharing_for_reporter
from bridgeway.casework.services import consent_record, consent_revoke, share_with_police
from bridgeway.casework.services.evidence import evidence_attach
from bridgeway.casework.services.police_pack import police_pack_html, police_pack_make
from bridgeway.casework.tests.factories import make_report
from bridgeway.conftest import WEST_YORKSHIRE, _member, sign_in
from bridgeway.frontdoor.sharing import share_carried
from bridgeway.places.models import PoliceForceArea

NARRATIVE = "Two men followed me from the mosque and shouted at my brother."


@pytest.fixture
def police(db):
    return PoliceForceArea.objects.get(code=WEST_YORKSHIRE)


@pytest.fixture
def report(reporting_centre):
    referral, _code = make_report(organisation=reporting_centre, narrative=NARRATIVE)
    return referral


@pytest.fixture
def centre_worker(reporting_centre):
    return _member(reporting_centre, Membership.Role.PRACTITIONER)


def _passed_on(report, worker, police, includes):
    consent = consent_record(
        person=report.person,
        scope=Consent.Scope.POLICE,
        actor=worker,
        given_how=Consent.GivenHow.ONLINE,
        recipient_police_force_area=police,
        includes=includes,
    )
    return consent, share_with_police(referral=report, actor=worker, police_force_area=police)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def test_pack_holds_only_the_reference_and_harms_when_consent_covers_nothing_more(
    report, centre_worker, police
):
    _consent, share = _passed_on(report, centre_worker, police, [])

    text = _text(police_pack_make(share=share, actor=centre_worker))

    assert report.reference in text
    assert "Handover to the police" in text
    assert "mosque" not in text
    assert report.person.name not in text
    assert report.person.phone not in text


def test_pack_holds_the_narrative_contact_details_and_pictures_the_consent_covers(
    report, centre_worker, police
):
    evidence_attach(referral=report, data=_picture(), declared_type="image/png")
    _consent, share = _passed_on(
        report,
        centre_worker,
        police,
        [Consent.Item.NARRATIVE, Consent.Item.CONTACT_DETAILS, Consent.Item.EVIDENCE],
    )

    pdf = police_pack_make(share=share, actor=centre_worker)
    text = _text(pdf)

    assert "followed me from the mosque" in text
    assert report.person.name in text
    assert "data:image/png;base64," in police_pack_html(share)
    assert any(page.images for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pictures_are_left_out_when_the_consent_does_not_cover_them(report, centre_worker, police):
    evidence_attach(referral=report, data=_picture(), declared_type="image/png")
    _consent, share = _passed_on(report, centre_worker, police, [Consent.Item.NARRATIVE])

    assert "data:image" not in police_pack_html(share)
    pdf = police_pack_make(share=share, actor=centre_worker)
    assert not any(page.images for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pack_is_audited_and_listed_for_the_person(report, centre_worker, police):
    _consent, share = _passed_on(report, centre_worker, police, [Consent.Item.NARRATIVE])

    police_pack_make(share=share, actor=centre_worker)

    entry = AuditEntry.objects.get(action="share.police_pack", object_id=str(share.pk))
    assert entry.actor == centre_worker
    assert entry.detail["items"] == ["narrative"]
    seen = [s for consent in sharing_for_reporter(report) for s in consent.shares]
    words = share_carried(seen[0])
    assert any("in a document on" in line for line in words)


def test_no_pack_once_the_consent_is_withdrawn(report, centre_worker, police):
    consent, share = _passed_on(report, centre_worker, police, [Consent.Item.NARRATIVE])
    consent_revoke(consent=consent, actor=centre_worker)

    with pytest.raises(ValidationError, match="withdrawn"):
        police_pack_make(share=share, actor=centre_worker)
    assert not AuditEntry.objects.filter(action="share.police_pack").exists()
    share.refresh_from_db()
    assert share.pack_made_at is None


def test_outsider_cannot_make_the_pack(report, centre_worker, police, outsider):
    _consent, share = _passed_on(report, centre_worker, police, [])
    with pytest.raises(PermissionDenied):
        police_pack_make(share=share, actor=outsider)


def test_staff_download_the_pack_and_outsiders_get_404(
    report, centre_worker, police, outsider_client
):
    _consent, share = _passed_on(report, centre_worker, police, [Consent.Item.NARRATIVE])
    url = reverse(
        "casework:police-pack", kwargs={"reference": report.reference, "share_id": share.pk}
    )

    assert outsider_client.get(url).status_code == 404
    response = sign_in(Client(), centre_worker).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "mosque" in _text(response.content)
