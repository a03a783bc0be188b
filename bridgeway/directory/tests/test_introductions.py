"""Spoken introductions: sniffing a recording's type from its bytes, and keeping it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.django_db
def test_a_second_introduction_in_the_same_language_is_refused(media_root):
    service = ServiceFactory()
    upload(service, MP3_ID3, "intro.mp3")
    with pytest.raises(ValidationError) as raised:
        upload(service, OGG, "again.ogg")
    assert "already has an introduction" in raised.value.message_dict["language"][0]
    assert ServiceIntroduction.objects.count() == 1
    assert len(stored_files(media_root)) == 1
    upload(service, OGG, "urdu.ogg", language="urd")
    assert ServiceIntroduction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_removing_an_introduction_deletes_its_file(media_root):
    introduction = upload(ServiceFactory(), MP3_ID3, "intro.mp3")
    assert len(stored_files(media_root)) == 1
    introduction_remove(introduction=introduction)
    assert not ServiceIntroduction.objects.exists()
    assert stored_files(media_root) == []
