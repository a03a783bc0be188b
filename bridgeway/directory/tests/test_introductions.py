"""Spoken introductions: sniffing a recording's type from its bytes, and keeping it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.tests.factories import UserFactory
from bridgeway.casework.models import AuditEntry
from bridgeway.directory.introductions import (
    INTRODUCTION_MAX_BYTES,
    byte_range,
    introduction_remove,
    introduction_upload,
    media_container,
)
from bridgeway.directory.models import ServiceIntroduction
from bridgeway.directory.tests.factories import ServiceFactory

# Tiny files that start the way real recordings do.
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 40
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 40
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00isomM4A " + b"\x00" * 20
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 20
OGG = b"OggS\x00\x02" + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 20
MATROSKA = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 20
ADTS_AAC = b"\xff\xf1\x50\x80" + b"\x00" * 40
HTML = b"<!doctype html><script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (MP3_ID3, "mpeg"),
        (MP3_FRAME, "mpeg"),
        (M4A, "mp4"),
        (MP4, "mp4"),
        (OGG, "ogg"),
        (WEBM, "webm"),
        (MATROSKA, None),
        (ADTS_AAC, None),
        (HTML, None),
        (PNG, None),
        (b"", None),
        (b"\xff", None),
    ],
)
def test_media_container_is_read_from_the_first_bytes(head, container):
    assert media_container(head) == container


@given(st.binary(max_size=80))
def test_media_container_answers_a_known_container_or_none_for_any_bytes(head):
    assert media_container(head) in {None, "mpeg", "mp4", "ogg", "webm"}


@given(st.binary(max_size=80))
def test_text_never_passes_for_a_recording(tail):
    assert media_container(b"<" + tail) is None


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-99", 1000, (0, 99)),
        ("bytes=100-", 1000, (100, 999)),
        ("bytes=-100", 1000, (900, 999)),
        ("bytes=900-5000", 1000, (900, 999)),
        ("bytes=-5000", 1000, (0, 999)),
        ("bytes=1000-", 1000, None),
        ("bytes=5-4", 1000, None),
        ("bytes=0-1,5-9", 1000, None),
        ("bytes=-", 1000, None),
        ("bytes=-0", 1000, None),
        ("items=0-9", 1000, None),
        ("", 1000, None),
        ("bytes=0-9", 0, None),
    ],
)
def test_byte_range_reads_one_range_and_refuses_the_rest(header, size, expected):
    assert byte_range(header, size) == expected


@given(st.text(max_size=30), st.integers(min_value=0, max_value=10_000))
def test_byte_range_always_lies_inside_the_file(header, size):
    wanted = byte_range(header, size)
    if wanted is not None:
        first, last = wanted
        assert 0 <= first <= last < size


@given(
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=1, max_value=5000),
)
def test_byte_range_of_a_well_formed_range_fits_the_file(first, last, size):
    wanted = byte_range(f"bytes={first}-{last}", size)
    if first < size and first <= last:
        assert wanted == (first, min(last, size - 1))
    else:
        assert wanted is None


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(service, data: bytes, name: str, *, kind: str = "audio", **changes):
    arguments = {
        "service": service,
        "kind": kind,
        "upload": io.BytesIO(data),
        "name": name,
        "size": len(data),
        "transcript": "Hello, we are a helpline for people who have faced hate.",
        "language": "eng",
        "uploaded_by": None,
    }
    arguments.update(changes)
    return introduction_upload(**arguments)


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type"),
    [
        (MP3_ID3, "welcome.mp3", "audio", "audio/mpeg"),
        (M4A, "Welcome.M4A", "audio", "audio/mp4"),
        (MP4, "welcome.mp4", "video", "video/mp4"),
        (OGG, "welcome.ogg", "audio", "audio/ogg"),
        (WEBM, "welcome.webm", "video", "video/webm"),
    ],
    ids=["mp3", "m4a", "mp4", "ogg", "webm"],
)
def test_a_recording_is_kept_with_the_type_its_bytes_show_under_a_random_name(
    media_root, data, name, kind, content_type
):
    service = ServiceFactory()
    introduction = upload(service, data, name, kind=kind)
    introduction.refresh_from_db()
    assert introduction.content_type == content_type
    assert introduction.size == len(data)
    assert introduction.file.name.startswith("introductions/")
    assert "welcome" not in introduction.file.name.lower()
    assert (media_root / introduction.file.name).read_bytes() == data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "intro.mp3"),
        (PNG, "intro.mp4"),
        (MATROSKA, "intro.webm"),
        (MP3_ID3, "intro.exe"),
        (MP3_ID3, "intro"),
        (OGG, "intro.mp3"),
    ],
)
def test_a_file_that_is_not_a_recording_it_claims_to_be_is_refused_and_nothing_is_kept(
    media_root, data, name
):
    service = ServiceFactory()
    with pytest.raises(ValidationError) as raised:
        upload(service, data, name)
    assert "MP3, M4A, OGG, WebM or MP4" in str(raised.value.message_dict["file"])
    assert not ServiceIntroduction.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused_by_its_size(media_root):
    service = ServiceFactory()
    with pytest.raises(ValidationError) as raised:
        upload(service, MP3_ID3, "intro.mp3", size=INTRODUCTION_MAX_BYTES + 1)
    assert "20 MB or smaller" in raised.value.message_dict["file"][0]
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_an_empty_file_is_refused(media_root):
    with pytest.raises(ValidationError) as raised:
        upload(ServiceFactory(), b"", "intro.mp3")
    assert "empty" in raised.value.message_dict["file"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("data", [MP3_ID3, M4A])
def test_a_sound_only_file_cannot_be_called_video(media_root, data):
    with pytest.raises(ValidationError) as raised:
        upload(
            ServiceFactory(), data, "intro.mp3" if data == MP3_ID3 else "intro.m4a", kind="video"
        )
    assert "sound only" in raised.value.message_dict["kind"][0]
    assert stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"transcript": "   "}, "transcript"),
        ({"transcript": "x" * 20_001}, "transcript"),
        ({"language": "xx"}, "language"),
        ({"kind": "picture"}, "kind"),
    ],
)
def test_a_missing_transcript_or_unknown_language_or_kind_is_refused_by_field(
    media_root, changes, field
):
    with pytest.raises(ValidationError) as raised:
        upload(ServiceFactory(), MP3_ID3, "intro.mp3", **changes)
    assert field in raised.value.message_dict
    assert not ServiceIntroduction.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_a_second_introduction_in_the_same_language_replaces_the_first(media_root):
    service = ServiceFactory()
    first = upload(service, MP3_ID3, "intro.mp3")
    second = upload(service, OGG, "again.ogg", transcript="A newer recording.")
    assert list(ServiceIntroduction.objects.values_list("id", flat=True)) == [second.pk]
    assert [path.read_bytes() for path in stored_files(media_root)] == [OGG]
    assert not ServiceIntroduction.objects.filter(pk=first.pk).exists()
    upload(service, OGG, "urdu.ogg", language="urd")
    assert ServiceIntroduction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_replacement_keeps_the_first_recording(media_root):
    service = ServiceFactory()
    first = upload(service, MP3_ID3, "intro.mp3")
    with pytest.raises(ValidationError):
        upload(service, HTML, "again.mp3")
    assert list(ServiceIntroduction.objects.values_list("id", flat=True)) == [first.pk]
    assert [path.read_bytes() for path in stored_files(media_root)] == [MP3_ID3]
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["introduction.upload"]


# --- the audit log ------------------------------------------------------------------------


def _audit() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="service_introduction").order_by("id"))


@pytest.mark.django_db(transaction=True)
def test_uploading_replacing_and_removing_are_each_in_the_hash_chained_audit_log(media_root):
    service = ServiceFactory()
    admin = UserFactory()
    first = upload(service, MP3_ID3, "intro.mp3", uploaded_by=admin)
    second = upload(service, WEBM, "intro.webm", kind="video", uploaded_by=admin)
    introduction_remove(introduction=second, actor=admin)

    entries = _audit()
    assert [entry.action for entry in entries] == [
        "introduction.upload",
        "introduction.replace",
        "introduction.remove",
    ]
    assert [entry.object_id for entry in entries] == [str(first.pk), str(second.pk), str(second.pk)]
    assert {entry.actor_id for entry in entries} == {admin.pk}
    assert {entry.organisation_id for entry in entries} == {service.organisation_id}
    assert entries[0].detail == {
        "service": str(service.pk),
        "language": "eng",
        "kind": "audio",
        "content_type": "audio/mpeg",
        "size": len(MP3_ID3),
    }
    assert entries[1].detail["replaced"] == str(first.pk)
    assert entries[1].detail["content_type"] == "video/webm"
    # Linked into the one chain that ``bridgeway audit verify`` walks.
    assert entries[1].previous_hash == entries[0].entry_hash
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "Audit log intact: 3 entries" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_writes_no_audit_entry(media_root):
    with pytest.raises(ValidationError):
        upload(ServiceFactory(), HTML, "intro.mp3")
    assert _audit() == []


@pytest.mark.django_db(transaction=True)
def test_when_the_audit_entry_cannot_be_written_nothing_is_kept(media_root, monkeypatch):
    from bridgeway.casework import receivers

    def broken(**_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(receivers, "audit_record", broken)
    service = ServiceFactory()
    with pytest.raises(RuntimeError):
        upload(service, MP3_ID3, "intro.mp3")
    assert not ServiceIntroduction.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_removing_an_introduction_deletes_its_file(media_root):
    introduction = upload(ServiceFactory(), MP3_ID3, "intro.mp3")
    assert len(stored_files(media_root)) == 1
    introduction_remove(introduction=introduction)
    assert not ServiceIntroduction.objects.exists()
    assert stored_files(media_root) == []
