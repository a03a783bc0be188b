"""The staff page for spoken introductions, and the view that serves the recordings."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bridgeway.casework.models import AuditEntry
from bridgeway.directory.introductions import NoRoomForUpload, introduction_upload
from bridgeway.directory.models import Service, ServiceIntroduction
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.directory.tests.test_introductions import HTML, MP3_ID3, MP4

pytestmark = pytest.mark.django_db

TRANSCRIPT = "Salaam. We help people in Bradford after hate, in Urdu and English."


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def service(organisation) -> Service:
    return ServiceFactory(organisation=organisation, name="Bradford Urdu Hate Support")


def page_url(service: Service) -> str:
    return reverse("directory:introductions", args=[service.id])


def keep(service: Service, data: bytes = MP3_ID3, name: str = "a.mp3", kind: str = "audio"):
    return introduction_upload(
        service=service,
        kind=kind,
        upload=io.BytesIO(data),
        name=name,
        size=len(data),
        transcript=TRANSCRIPT,
        language="urd",
        uploaded_by=None,
    )


def form(data: bytes = MP3_ID3, name: str = "welcome.mp3", **changes):
    fields = {
        "action": "upload",
        "kind": "audio",
        "language": "urd",
        "transcript": TRANSCRIPT,
        "file": SimpleUploadedFile(name, data, content_type="audio/mpeg"),
    }
    fields.update(changes)
    return fields


def test_introductions_url_is_stable(service):
    assert page_url(service) == f"/staff/directory/{service.id}/introduction/"


def test_unauthenticated_people_are_sent_to_sign_in(client, service, media_root):
    response = client.post(page_url(service), form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert not ServiceIntroduction.objects.exists()


def test_practitioner_gets_403_and_uploads_nothing(practitioner_client, service, media_root):
    assert practitioner_client.get(page_url(service)).status_code == 403
    assert practitioner_client.post(page_url(service), form()).status_code == 403
    assert not ServiceIntroduction.objects.exists()


def test_outsider_gets_404_and_uploads_nothing(outsider_client, service, media_root):
    assert outsider_client.get(page_url(service)).status_code == 404
    assert outsider_client.post(page_url(service), form()).status_code == 404
    assert not ServiceIntroduction.objects.exists()


def test_outsider_cannot_remove_another_organisations_introduction(
    outsider_client, service, media_root
):
    introduction = keep(service)
    response = outsider_client.post(
        page_url(service), {"action": "remove", "introduction": str(introduction.id)}
    )
    assert response.status_code == 404
    assert ServiceIntroduction.objects.filter(id=introduction.id).exists()


def test_admin_uploads_an_introduction_and_sees_it_listed(
    admin_client_of_organisation, service, media_root
):
    response = admin_client_of_organisation.post(page_url(service), form())
    assert response.status_code == 302
    introduction = ServiceIntroduction.objects.get()
    assert introduction.service == service
    assert introduction.content_type == "audio/mpeg"
    assert introduction.uploaded_by is not None
    page = admin_client_of_organisation.get(page_url(service)).content.decode()
    assert "اردو" in page
    assert "Remove" in page


def test_admin_upload_of_a_web_page_named_mp3_is_refused_with_the_reason(
    admin_client_of_organisation, service, media_root
):
    response = admin_client_of_organisation.post(page_url(service), form(HTML, "welcome.mp3"))
    assert response.status_code == 400
    assert "must be an MP3, M4A, OGG, WebM or MP4 recording" in response.content.decode()
    assert not ServiceIntroduction.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_admin_upload_without_transcript_is_refused_naming_the_field(
    admin_client_of_organisation, service, media_root
):
    response = admin_client_of_organisation.post(page_url(service), form(transcript=""))
    assert response.status_code == 400
    assert "Transcript" in response.content.decode()
    assert not ServiceIntroduction.objects.exists()


def test_admin_removes_an_introduction(admin_client_of_organisation, service, media_root):
    introduction = keep(service)
    response = admin_client_of_organisation.post(
        page_url(service), {"action": "remove", "introduction": str(introduction.id)}
    )
    assert response.status_code == 302
    assert not ServiceIntroduction.objects.exists()


def test_admin_replaces_an_introduction_by_uploading_in_its_language(
    admin_client_of_organisation, organisation_admin, service, media_root
):
    old = keep(service)
    page = admin_client_of_organisation.get(page_url(service)).content.decode()
    assert "A recording in a language the service already has replaces the one there." in page
    response = admin_client_of_organisation.post(
        page_url(service), form(MP4, "welcome.mp4", kind="video"), follow=True
    )
    assert "The new recording has replaced the one in اردو." in response.content.decode()
    new = ServiceIntroduction.objects.get()
    assert new.pk != old.pk
    assert new.content_type == "video/mp4"
    entry = AuditEntry.objects.get(action="introduction.replace")
    assert entry.actor == organisation_admin
    assert entry.object_id == str(new.pk)
    assert entry.detail["replaced"] == str(old.pk)


def test_removing_through_the_page_is_audited_with_who_did_it(
    admin_client_of_organisation, organisation_admin, service, media_root
):
    introduction = keep(service)
    admin_client_of_organisation.post(
        page_url(service), {"action": "remove", "introduction": str(introduction.id)}
    )
    entry = AuditEntry.objects.get(action="introduction.remove")
    assert entry.actor == organisation_admin
    assert entry.organisation_id == service.organisation_id
    assert entry.object_id == str(introduction.pk)


def test_outsiders_and_refused_uploads_leave_no_audit_entry(
    outsider_client, admin_client_of_organisation, service, media_root
):
    outsider_client.post(page_url(service), form())
    admin_client_of_organisation.post(page_url(service), form(HTML, "welcome.mp3"))
    assert not AuditEntry.objects.filter(object_type="service_introduction").exists()


def test_removing_an_unknown_introduction_is_404(admin_client_of_organisation, service):
    for value in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"]:
        response = admin_client_of_organisation.post(
            page_url(service), {"action": "remove", "introduction": value}
        )
        assert response.status_code == 404


def test_a_recording_is_served_inline_with_its_sniffed_type_and_nosniff(
    client, service, media_root
):
    introduction = keep(service)
    response = client.get(f"/media/introductions/{introduction.id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == MP3_ID3


def test_a_range_of_a_recording_is_served_as_partial_content(client, service, media_root):
    introduction = keep(service, MP4, "a.mp4", kind="video")
    response = client.get(f"/media/introductions/{introduction.id}/", HTTP_RANGE="bytes=4-11")
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert response.content == b"ftypisom"


def test_a_closed_services_recording_is_not_served(client, service, media_root):
    introduction = keep(service)
    Service.objects.filter(id=service.id).update(status=Service.Status.INACTIVE)
    assert client.get(f"/media/introductions/{introduction.id}/").status_code == 404


def test_an_unknown_recording_is_404(client):
    assert (
        client.get("/media/introductions/00000000-0000-0000-0000-000000000000/").status_code == 404
    )


class _FullDisk:
    """A file whose reading stops part-way with 'No space left on device', as a full disk does.

    The storage writes what it has read before the fault, so a partial file is left on disk
    exactly as when the disk fills mid-write.
    """

    def __init__(self, storage_write):
        self.storage_write = storage_write

    def __call__(self, fd, *args, **kwargs):
        handle = self.storage_write(fd, *args, **kwargs)
        real_write = handle.write

        def write(chunk):
            real_write(chunk[: len(chunk) // 2])
            handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        handle.write = write
        return handle


@pytest.fixture
def full_disk(monkeypatch, media_root: Path) -> Path:
    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", _FullDisk(os.fdopen))
    return media_root


def test_a_full_disk_is_explained_and_leaves_no_partial_file(
    admin_client_of_organisation, service, full_disk
):
    response = admin_client_of_organisation.post(page_url(service), form())
    assert response.status_code == 507
    assert "no room left for it on the server" in response.content.decode()
    assert "Nothing has changed" in response.content.decode()
    assert not ServiceIntroduction.objects.exists()
    assert not any(path.is_file() for path in full_disk.rglob("*"))


def test_a_full_disk_keeps_the_introduction_it_would_have_replaced(
    service, media_root, monkeypatch
):
    kept = keep(service)
    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", _FullDisk(os.fdopen))
    with pytest.raises(NoRoomForUpload):
        keep(service, name="new.mp3")
    assert list(ServiceIntroduction.objects.all()) == [kept]
    assert [path.name for path in media_root.rglob("*") if path.is_file()] == [
        Path(kept.file.name).name
    ]


def test_another_write_failure_leaves_no_partial_file_and_is_raised(
    service, media_root, monkeypatch
):
    def refuse(fd, *args, **kwargs):
        os.write(fd, b"ID3 partial")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", refuse)
    with pytest.raises(OSError, match="Input/output error"):
        keep(service)
    assert not any(path.is_file() for path in media_root.rglob("*"))
