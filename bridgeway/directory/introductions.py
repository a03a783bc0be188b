"""Spoken introductions to services: what kind of file an upload really is, and keeping them.

``media_container`` and ``byte_range`` are pure (no Django) so they can be tested on their
own: a file is judged by its first bytes, never by the name or type the browser sends, so a
page of script renamed ``intro.mp3`` is refused.
"""

from __future__ import annotations

import errno
import logging
import re
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.directory.models import Service, ServiceIntroduction
from bridgeway.directory.stamps import services_stamp
from bridgeway.equality.vocabulary import languages

logger = logging.getLogger(__name__)
# A write refused for want of room: the disk is full, or the account's quota is used up.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}

# Short introductions only: 20 MB is a few minutes of video at a phone's web quality.
INTRODUCTION_MAX_BYTES = 20 * 1024 * 1024
TRANSCRIPT_MAX_CHARACTERS = 20_000
# Enough of the file's start to recognise every container accepted.
SNIFF_BYTES = 64

# The containers accepted, the file name endings each may have, and whether it can hold video.
EXTENSIONS = {
    "mpeg": ("mp3",),
    "mp4": ("m4a", "mp4", "m4v"),
    "ogg": ("ogg", "oga", "ogv", "opus"),
    "webm": ("webm",),
}
AUDIO_ONLY = {"mpeg"}
# ISO base media brands that say "audio only" (an M4A is an MP4 that holds no picture).
AUDIO_MP4_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


def media_container(head: bytes) -> str | None:
    """The container the first bytes of a file announce: mpeg, mp4, ogg or webm; else None."""
    if head.startswith(b"ID3"):
        return "mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG audio frame header: version bits 01 are reserved, layer bits 00 are not MP3
        # (they mark AAC in an ADTS stream, which browsers do not all play as audio/mpeg).
        version = (head[1] >> 3) & 0b11
        layer = (head[1] >> 1) & 0b11
        return "mpeg" if version != 0b01 and layer != 0b00 else None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        # EBML with the document type "webm"; other Matroska files are not played by browsers.
        return "webm"
    return None


def is_audio_only_mp4(head: bytes) -> bool:
    """True when an MP4's major brand says it holds sound only (an .m4a file)."""
    return head[8:12] in AUDIO_MP4_BRANDS


# Sent inside the transaction of every upload, replacement and removal, with ``action``
# ("introduction.upload", ".replace", ".remove"), ``introduction`` (the row; for a removal,
# the row as it was), ``actor`` and ``detail``. Casework writes each to the hash-chained audit
# log (``bridgeway.casework.receivers``): directory may not import casework, so the log
# listens rather than being called. Sent with ``send``, not ``send_robust``: if the audit
# entry cannot be written, the change is rolled back with it.
introduction_changed = Signal()


def _changed(
    action: str,
    introduction: ServiceIntroduction,
    *,
    actor: User | None,
    **detail: object,
) -> None:
    introduction_changed.send(
        sender=ServiceIntroduction,
        action=action,
        introduction=introduction,
        actor=actor,
        detail={
            "service": str(introduction.service_id),
            "language": introduction.language,
            "kind": introduction.kind,
            "content_type": introduction.content_type,
            "size": introduction.size,
            **detail,
        },
    )


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte a single-range ``Range`` header asks for, or None.

    None means "send the whole file": no header, several ranges, a malformed one or one
    that does not fit the file. Players ask for ranges to seek; Safari needs them to play.
    """
    match = _RANGE.match(header.strip())
    if not match or size <= 0:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:
        # "bytes=-500": the last 500 bytes.
        suffix = int(last_text)
        if suffix == 0:
            return None
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)


@dataclass(frozen=True)
class Recording:
    """What an uploaded file was found to be."""

    content_type: str
    size: int


def recording_check(*, upload: IO[bytes], name: str, size: int, kind: str) -> Recording:
    """The content type of an upload of ``kind``; ``ValidationError`` naming the field if not."""
    if size <= 0:
        raise ValidationError({"file": _("The file is empty. Choose a sound or video file.")})
    if size > INTRODUCTION_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB. It must be 20 MB or smaller.")
                % {"size": f"{size / (1024 * 1024):.1f}"}
            }
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    container = media_container(head)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if container is None or extension not in EXTENSIONS[container]:
        raise ValidationError(
            {
                "file": _(
                    "The file must be an MP3, M4A, OGG, WebM or MP4 recording, and its name "
                    "must end the same way (for example .mp3 or .mp4)."
                )
            }
        )
    if kind == ServiceIntroduction.Kind.VIDEO and (
        container in AUDIO_ONLY or (container == "mp4" and is_audio_only_mp4(head))
    ):
        raise ValidationError(
            {"kind": _("This file holds sound only. Choose “Audio”, or upload a video file.")}
        )
    return Recording(content_type=f"{kind}/{container}", size=size)


class NoRoomForUpload(ValidationError):
    """The recording could not be written because the storage is full; nothing was kept."""


def _recording_store(introduction: ServiceIntroduction, name: str, upload: IO[bytes]) -> str:
    """Write the recording's bytes to storage and name the file on ``introduction``.

    Django's file storage leaves a partly written file behind when a write fails (a full
    disk stops it part-way), so the file is deleted here before the error goes on. A full
    disk or quota is the uploader's to hear about in words (``NoRoomForUpload``); any other
    failure is the operator's, and is raised as it came.
    """
    storage = introduction.file.storage
    # The storage's final name is fixed first, so a failed write knows what to delete.
    target = storage.get_available_name(
        introduction.file.field.generate_filename(introduction, name),
        max_length=introduction.file.field.max_length,
    )
    try:
        stored = storage.save(target, File(upload), max_length=introduction.file.field.max_length)
    except OSError as error:
        storage.delete(target)
        if error.errno not in _NO_ROOM:
            raise
        logger.error("No room to store an uploaded introduction: %s", error)
        raise NoRoomForUpload(
            {
                "file": [
                    _(
                        "The recording could not be saved because there is no room left for "
                        "it on the server. Nothing has changed. Try again later, and tell the "
                        "person who looks after Bridgeway for your organisation."
                    )
                ]
            }
        ) from error
    introduction.file.name = stored
    return stored


@transaction.atomic
def introduction_upload(
    *,
    service: Service,
    kind: str,
    upload: IO[bytes],
    name: str,
    size: int,
    transcript: str,
    language: str,
    uploaded_by: User | None,
) -> ServiceIntroduction:
    """Keep a spoken introduction for ``service``; nothing is saved if anything is wrong.

    One in a language that already has one replaces it: the old file is deleted once the
    new one is committed. Audited (``introduction_changed``) as an upload or a replacement.
    """
    errors: dict[str, list[str]] = {}
    if kind not in ServiceIntroduction.Kind.values:
        errors["kind"] = [_("Choose audio or video.")]
    transcript = transcript.strip() if isinstance(transcript, str) else ""
    if not transcript:
        errors["transcript"] = [_("Enter a transcript: every word that is said in the recording.")]
    elif len(transcript) > TRANSCRIPT_MAX_CHARACTERS:
        errors["transcript"] = [
            _("The transcript must be %(limit)s characters or fewer.")
            % {"limit": f"{TRANSCRIPT_MAX_CHARACTERS:,}"}
        ]
    if language not in languages():
        errors["language"] = [_("Choose the language spoken in the recording.")]
    if errors:
        raise ValidationError(errors)
    recording = recording_check(upload=upload, name=name, size=size, kind=kind)
    introduction = ServiceIntroduction(
        service=service,
        kind=kind,
        content_type=recording.content_type,
        size=recording.size,
        transcript=transcript,
        language=language,
        uploaded_by=uploaded_by,
    )
    replaced = (
        ServiceIntroduction.objects.select_for_update()
        .filter(service=service, language=language)
        .first()
    )
    # The check of one per language is the replacement's to make, after the old row goes.
    introduction.full_clean(exclude=["file"], validate_constraints=False)
    stored = _recording_store(introduction, name, upload)
    try:
        if replaced is not None:
            old_file, old_storage = replaced.file.name or "", replaced.file.storage
            replaced_id = str(replaced.pk)
            replaced.delete()
            transaction.on_commit(lambda: old_storage.delete(old_file))
        introduction.save()
        if replaced is None:
            _changed("introduction.upload", introduction, actor=uploaded_by)
        else:
            _changed("introduction.replace", introduction, actor=uploaded_by, replaced=replaced_id)
        # The service's public page shows its introductions and is kept under the directory's
        # stamp (decision 0153); taken last, as stamps.services_stamp asks.
        services_stamp([service.pk])
    except Exception:
        # A failed database write (or audit entry) must not leave the new file behind.
        introduction.file.storage.delete(stored)
        raise
    return introduction


@transaction.atomic
def introduction_remove(*, introduction: ServiceIntroduction, actor: User | None = None) -> None:
    """Delete an introduction and, once that is committed, its file. Audited."""
    stored = introduction.file.name or ""
    storage = introduction.file.storage
    introduction_id = introduction.pk
    introduction.delete()
    # ``delete`` clears the primary key; the audit entry names the row that was removed.
    introduction.pk = introduction_id
    _changed("introduction.remove", introduction, actor=actor)
    services_stamp([introduction.service_id])
    transaction.on_commit(lambda: storage.delete(stored))
