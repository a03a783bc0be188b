# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""A service's spoken introduction on its public page, with its transcript beside it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bridgeway.directory.introductions import introduction_upload
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.site.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 20


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def introduce(service, data: bytes, name: str, kind: str, language: str, transcript: str):
    return introduction_upload(
        service=service,
        kind=kind,
        upload=io.BytesIO(data),
        name=name,
        size=len(data),
        transcript=transcript,
        language=language,
        uploaded_by=None,
    )


def test_service_page_plays_the_audio_introduction_with_its_transcript(client, media_root):
    service = ServiceFactory()
    introduction = introduce(
        service, MP3, "a.mp3", "audio", "eng", "Hello.\nWe listen, and we believe you."
    )
    page = client.get(f"/en/services/{service.id}/").content.decode()
    assert "<audio controls" in page
    assert f'src="/media/introductions/{introduction.id}/" type="audio/mpeg"' in page
    assert "Listen to a short introduction" in page
    assert "<details" in page
    assert "Read what is said" in page
    assert "Hello.<br>We listen, and we believe you." in page


def test_service_page_plays_a_video_introduction_with_an_urdu_transcript_right_to_left(
    client, media_root
):
    service = ServiceFactory()
    introduce(service, WEBM, "a.webm", "video", "urd", "ہم آپ کی مدد کر سکتے ہیں")
    page = client.get(f"/en/services/{service.id}/").content.decode()
    assert "<video controls" in page
    assert 'type="video/webm"' in page
    assert 'lang="ur" dir="rtl"' in page
    assert "ہم آپ کی مدد کر سکتے ہیں" in page


def test_service_page_without_an_introduction_shows_no_player(client):
    service = ServiceFactory()
    page = client.get(f"/en/services/{service.id}/").content.decode()
    assert "<audio" not in page
    assert "<video" not in page


def test_the_policy_lets_the_page_play_recordings_from_this_site_only():
    assert "media-src 'self'" in CONTENT_SECURITY_POLICY


def test_introduction_words_are_in_welsh_on_the_welsh_page(client, media_root):
    service = ServiceFactory()
    introduce(service, MP3, "a.mp3", "audio", "cym", "Helo.")
    page = client.get(f"/cy/services/{service.id}/").content.decode()
    assert "Listen to a short introduction" not in page
    assert "Read what is said" not in page
    assert "Gwrandewch ar gyflwyniad byr" in page
    assert "Darllenwch beth sy’n cael ei ddweud" in page
