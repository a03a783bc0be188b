"""Uploads and the insight snapshot in S3-compatible storage (decision 0129).

Against moto's S3 server on 127.0.0.1, over real HTTP: django-storages keeps the uploads,
Arrow's S3 filesystem the snapshot's Parquet files, and nothing is readable without a
signature or the view that checks who may have it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from bridgeway.directory.models import Service, ServiceIntroduction
from bridgeway.directory.tests.factories import ServiceFactory as DirectoryServiceFactory
from bridgeway.directory.tests.test_introductions import MP3_ID3, MP4
from bridgeway.insight.services import needs_assessment_rows, snapshot_write
from bridgeway.insight.snapshot import (
    PART_PATTERN,
    PERSON_NUMBERS_FILE,
    STATE_FILE,
    SnapshotError,
)
from bridgeway.insight.snapshot_store import snapshot_copy
from bridgeway.insight.tests.factories import LEEDS, referral_through
from bridgeway.insight.tests.factories import ServiceFactory as InsightServiceFactory
from bridgeway.object_storage import media_storage, s3_location

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
MEDIA_BUCKET = "bridgeway-media"
SNAPSHOT_BUCKET = "bridgeway-insight"
AT = dt.datetime(2025, 5, 10, 9, 30, tzinfo=dt.UTC)
TRANSCRIPT = "Salaam. We help people in Bradford after hate, in Urdu and English."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, with the two buckets; its address."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        # moto keeps its buckets in the process, shared by every server started in it: another
        # test module's server (this fixture imported elsewhere) may have left them behind.
        reset = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        reset.request("POST", "/moto-api/reset")
        reset.getresponse().read()
        reset.close()
        client = _client(endpoint)
        for bucket in (MEDIA_BUCKET, SNAPSHOT_BUCKET):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        yield endpoint
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _keys(endpoint: str, bucket: str, prefix: str) -> dict[str, int]:
    listed = _client(endpoint).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {item["Key"]: item["Size"] for item in listed.get("Contents", [])}


# --- uploads -----------------------------------------------------------------------------------


@pytest.fixture
def media_in_bucket(settings: Any, s3_endpoint: str, tmp_path: Path, request: Any) -> str:
    """Uploads go to the media bucket under a prefix of this test's own; MEDIA_ROOT is an
    empty folder that must stay empty."""
    prefix = f"media-{request.node.name[:40]}"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(
            s3_location(f"s3://{MEDIA_BUCKET}/{prefix}", endpoint_url=s3_endpoint, region=REGION)
        ),
    }
    return prefix


@pytest.fixture
def service(organisation) -> Service:
    return DirectoryServiceFactory(organisation=organisation, name="Bradford Urdu Hate Support")


def _upload(client, service, data=MP3_ID3, name="welcome.mp3", kind="audio"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("directory:introductions", args=[service.id]),
        {
            "action": "upload",
            "kind": kind,
            "language": "urd",
            "transcript": TRANSCRIPT,
            "file": SimpleUploadedFile(name, data, content_type="audio/mpeg"),
        },
    )


def test_an_uploaded_introduction_is_kept_in_the_bucket_and_streamed_by_bridgeway(
    admin_client_of_organisation, client, service, media_in_bucket, s3_endpoint, settings
):
    response = _upload(admin_client_of_organisation, service)
    assert response.status_code == 302
    introduction = ServiceIntroduction.objects.get()
    key = f"{media_in_bucket}/{introduction.file.name}"
    assert _keys(s3_endpoint, MEDIA_BUCKET, media_in_bucket) == {key: len(MP3_ID3)}
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on this server's disk

    served = client.get(reverse("introduction-media", args=[introduction.id]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == MP3_ID3
    assert served["Content-Type"] == "audio/mpeg"
    part = client.get(reverse("introduction-media", args=[introduction.id]), HTTP_RANGE="bytes=0-2")
    assert part.status_code == 206
    assert part.content == MP3_ID3[:3]

    # The public page links to Bridgeway's view, never to the bucket.
    page = client.get(reverse("frontdoor:service", args=[service.id])).content.decode()
    assert reverse("introduction-media", args=[introduction.id]) in page
    assert urlsplit(s3_endpoint).netloc not in page


def test_files_in_the_bucket_are_private(service, media_in_bucket, s3_endpoint, client):
    saved = default_storage.save("introductions/private-check.mp3", io.BytesIO(MP3_ID3))
    key = f"{media_in_bucket}/{saved}"
    grants = _client(s3_endpoint).get_object_acl(Bucket=MEDIA_BUCKET, Key=key)["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)
    assert all("AuthenticatedUsers" not in str(grant["Grantee"]) for grant in grants)
    # Any URL the storage makes is signed and short-lived ...
    url = default_storage.url(saved)
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url
    # ... and a closed service's recording is not served by Bridgeway either.
    closed = DirectoryServiceFactory(
        organisation=service.organisation, status=Service.Status.INACTIVE
    )
    introduction = ServiceIntroduction.objects.create(
        service=closed,
        kind="audio",
        file=saved,
        content_type="audio/mpeg",
        size=len(MP3_ID3),
        transcript=TRANSCRIPT,
        language="urd",
    )
    assert client.get(reverse("introduction-media", args=[introduction.id])).status_code == 404
    # (moto does not check signatures, so refusing an unsigned fetch is not tested here.)


def test_replacing_and_removing_delete_the_old_object(
    admin_client_of_organisation,
    service,
    media_in_bucket,
    s3_endpoint,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(admin_client_of_organisation, service).status_code == 302
    first = ServiceIntroduction.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client_of_organisation, service, MP4, "welcome.mp4", "video")
        assert response.status_code == 302
    second = ServiceIntroduction.objects.get()
    assert set(_keys(s3_endpoint, MEDIA_BUCKET, media_in_bucket)) == {
        f"{media_in_bucket}/{second.file.name}"
    }
    assert first != second.file.name
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_of_organisation.post(
            reverse("directory:introductions", args=[service.id]),
            {"action": "remove", "introduction": str(second.id)},
        )
    assert _keys(s3_endpoint, MEDIA_BUCKET, media_in_bucket) == {}


# --- the insight snapshot ------------------------------------------------------------------------


@pytest.fixture
def snapshot_in_bucket(settings: Any, s3_endpoint: str, tmp_path: Path, request: Any) -> str:
    prefix = f"snapshot-{request.node.name[:40]}"
    settings.SNAPSHOT_DIR = tmp_path / "server-one"
    settings.SNAPSHOT_STORE = s3_location(
        f"s3://{SNAPSHOT_BUCKET}/{prefix}", endpoint_url=s3_endpoint, region=REGION
    )
    return prefix


def _referrals(organisation, count: int) -> None:
    service = InsightServiceFactory(organisation=organisation, district_codes=[LEEDS])
    for _number in range(count):
        referral_through(service, ["offered", "accepted"], at=AT, ethnic_group="asian_indian")


def _figures(snapshot_dir: Path) -> list[Any]:
    assessment = needs_assessment_rows(
        snapshot_dir=snapshot_dir, area_code="E23000010", date_from=None, date_to=None
    )
    return list(assessment.rows)


@pytest.mark.usefixtures("raw_counts")
def test_the_snapshot_is_written_to_the_bucket_and_read_from_it_by_another_server(
    organisation, snapshot_in_bucket, s3_endpoint, settings, tmp_path
):
    _referrals(organisation, 6)
    first = snapshot_write()
    assert first.path is not None
    stored = _keys(s3_endpoint, SNAPSHOT_BUCKET, snapshot_in_bucket)
    assert stored == {
        f"{snapshot_in_bucket}/{first.path.name}": first.path.stat().st_size,
        f"{snapshot_in_bucket}/{STATE_FILE}": (first.path.parent / STATE_FILE).stat().st_size,
        f"{snapshot_in_bucket}/{PERSON_NUMBERS_FILE}": (first.path.parent / PERSON_NUMBERS_FILE)
        .stat()
        .st_size,
    }
    on_first_server = _figures(settings.SNAPSHOT_DIR)

    # A second server, with nothing on its disk, reads the same figures from the bucket.
    settings.SNAPSHOT_DIR = tmp_path / "server-two"
    assert _figures(settings.SNAPSHOT_DIR) == on_first_server
    assert sorted(p.name for p in settings.SNAPSHOT_DIR.glob(PART_PATTERN)) == [first.path.name]

    # And its snapshot run carries on from the bucket's state: only the new events.
    _referrals(organisation, 2)
    second = snapshot_write()
    assert second.path is not None
    assert second.events_written == 2 * 3  # referred, offered, accepted
    assert (
        len([k for k in _keys(s3_endpoint, SNAPSHOT_BUCKET, snapshot_in_bucket) if "events-" in k])
        == 2
    )
    # The first server's copy catches up on its next read.
    settings.SNAPSHOT_DIR = tmp_path / "server-one"
    assert _figures(settings.SNAPSHOT_DIR) != on_first_server
    assert len(list(settings.SNAPSHOT_DIR.glob(PART_PATTERN))) == 2


@pytest.mark.usefixtures("raw_counts")
def test_the_dashboard_reads_the_snapshot_from_the_bucket(
    commissioner_client, organisation, snapshot_in_bucket, settings, tmp_path
):
    _referrals(organisation, 6)
    snapshot_write()
    settings.SNAPSHOT_DIR = tmp_path / "fresh-server"
    response = commissioner_client.get(reverse("insight:dashboard"))
    assert response.status_code == 200
    assert "Indian" in response.content.decode()


def test_an_unreachable_store_is_explained_and_a_copy_is_still_read(
    organisation, snapshot_in_bucket, settings, tmp_path
):
    _referrals(organisation, 6)
    snapshot_write()
    copy = Path(settings.SNAPSHOT_DIR)
    nowhere = f"http://127.0.0.1:{_free_port()}"
    settings.SNAPSHOT_STORE = s3_location(
        f"s3://{SNAPSHOT_BUCKET}/{snapshot_in_bucket}", endpoint_url=nowhere, region=REGION
    )
    assert snapshot_copy(copy) == copy  # the copy already here is used
    settings.SNAPSHOT_DIR = tmp_path / "empty-server"
    with pytest.raises(SnapshotError, match="cannot be read"):
        snapshot_copy(settings.SNAPSHOT_DIR)


def test_the_snapshot_command_fills_the_bucket(organisation, snapshot_in_bucket, s3_endpoint):
    _referrals(organisation, 1)
    call_command("snapshot", stdout=io.StringIO())
    assert any("events-" in key for key in _keys(s3_endpoint, SNAPSHOT_BUCKET, snapshot_in_bucket))


def test_an_upload_while_the_store_is_down_gets_the_calm_503_and_keeps_nothing(
    organisation_admin, service, settings, tmp_path
):
    """The store not answering is an outage, like the database's: 503 with Retry-After and
    the calm page, never a stack trace, and no half-kept introduction (issue 18, item 4)."""
    from django.test import Client

    from bridgeway.conftest import sign_in

    nobody = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(
            s3_location(f"s3://{MEDIA_BUCKET}/down", endpoint_url=nobody, region=REGION)
        ),
    }
    client = sign_in(Client(raise_request_exception=False), organisation_admin)
    response = _upload(client, service)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Please try again in a minute" in text
    assert "Traceback" not in text
    assert "botocore" not in text
    assert "127.0.0.1" not in text
    assert not ServiceIntroduction.objects.exists()
