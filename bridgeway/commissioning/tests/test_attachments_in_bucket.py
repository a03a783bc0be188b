"""Application documents go to the S3 bucket when one is set (decisions 0129 and 0137):
against moto's S3 server over HTTP, nothing on local disk, streamed back by the view."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bridgeway.commissioning.models import Attachment
from bridgeway.commissioning.tests.test_applying import PDF
from bridgeway.conftest import WEST_YORKSHIRE
from bridgeway.site.tests.test_object_storage import (  # noqa: F401 - fixtures used by name
    MEDIA_BUCKET,
    _credentials,
    _keys,
    media_in_bucket,
    s3_endpoint,
)


def test_a_document_is_kept_in_the_bucket_and_streamed_back(
    request, settings, funding_round, organisation, admin_client_of_organisation
):
    prefix = request.getfixturevalue("media_in_bucket")
    endpoint = request.getfixturevalue("s3_endpoint")
    admin_client_of_organisation.post(
        reverse("commissioning:apply", args=[funding_round.id]),
        {"applicant": organisation.pk, "areas_served": WEST_YORKSHIRE, "action": "draft"},
    )
    draft = organisation.funding_applications.get()

    response = admin_client_of_organisation.post(
        reverse("commissioning:attach", args=[draft.id]),
        {"kind": "accounts", "file": SimpleUploadedFile("accounts.pdf", PDF)},
    )

    assert response.status_code == 302
    document = Attachment.objects.get()
    keys = _keys(endpoint, MEDIA_BUCKET, f"{prefix}/commissioning/")
    assert keys == {f"{prefix}/{document.file.name}": len(PDF)}
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))
    served = admin_client_of_organisation.get(
        reverse("commissioning:attachment", args=[draft.id, document.id])
    )
    assert served.content == PDF
