"""Screenshots and photos given with a hate report: checked and cleaned. Plain Python (Pillow).

A file is taken only when it is what it says it is (a file sent as a PNG must open as a PNG),
within the size and pixel limits, and is then drawn again from its pixels alone: the copy
kept holds no EXIF (GPS position, camera or phone model, time taken), no XMP, no text
chunks and no colour profile, only the picture, turned the right way up first. Nothing the
person's phone wrote into the file survives, so nothing can place them by it.

No Django here: the service maps each ``Refused.reason`` to a message in the page's language.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# What a person may attach, by the type their browser sends, and the format Pillow must find.
ALLOWED_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
# A phone's photo is a few megabytes; a screenshot far less.
MAX_BYTES = 8 * 1024 * 1024
# Beyond this a small file can unpack into gigabytes in memory (a "decompression bomb").
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 88


class Refused(ValueError):
    """The file was not taken; ``reason`` says why (``type``, ``size``, ``empty``, ``not_image``,
    ``mismatch``, ``pixels``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanImage:
    """The picture as kept: re-encoded bytes, their type and its size in pixels."""

    content: bytes
    content_type: str
    width: int
    height: int


def evidence_image_clean(data: bytes, declared_type: str) -> CleanImage:
    """Check ``data`` (sent as ``declared_type``) and return it re-encoded without metadata.

    Raises ``Refused`` for a type not allowed, an empty or too large file, a file that is not
    an image, one that is not the type it claims, or one with too many pixels.
    """
    content_type = (declared_type or "").split(";")[0].strip().lower()
    expected = ALLOWED_TYPES.get(content_type)
    if expected is None:
        raise Refused("type")
    if not data:
        raise Refused("empty")
    if len(data) > MAX_BYTES:
        raise Refused("size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format != expected:
                raise Refused("mismatch")
            width, height = source.size
            if width * height > MAX_PIXELS:
                raise Refused("pixels")
            source.load()
            upright = ImageOps.exif_transpose(source) or source
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused("pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise Refused("not_image") from error
    return _redrawn(upright, expected, content_type)


def _redrawn(image: Image.Image, image_format: str, content_type: str) -> CleanImage:
    # Only the pixels are carried over: a new image made from the raw bytes has an empty
    # ``info`` (no EXIF, XMP, ICC profile, text chunks) whatever the source held.
    keeps_alpha = image_format != "JPEG" and (
        image.mode in ("RGBA", "LA") or "transparency" in image.info
    )
    mode = "RGBA" if keeps_alpha else "RGB"
    pixels = image.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanImage(
        content=out.getvalue(), content_type=content_type, width=clean.width, height=clean.height
    )
