"""What a document sent with an application really is, read from its bytes (decision 0137).

A file's name and the type a browser sends are the sender's word; the first bytes are not.
PDF starts ``%PDF-``; Word and Excel files (OOXML) and OpenDocument files are ZIP archives,
told apart by the parts inside them. Anything else, a macro-enabled workbook included, is
refused. Pure Python, no Django: the service turns a ``Refused`` reason into a message.
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ALLOWED = (PDF, DOCX, XLSX, ODT, ODS)
# Accounts and policies of a small organisation are well under this; a scan of many pages
# may be a few megabytes.
MAX_BYTES = 10 * 1024 * 1024
# The most parts a genuine office document of this size holds; more is not one.
MAX_ZIP_ENTRIES = 2000


class Refused(ValueError):
    """Not taken; ``reason`` is ``empty``, ``size`` or ``type``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def document_type(data: bytes) -> str:
    """The media type of ``data`` (one of ``ALLOWED``), or ``Refused``."""
    if not data:
        raise Refused("empty")
    if len(data) > MAX_BYTES:
        raise Refused("size")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        found = _zip_document_type(data)
        if found:
            return found
    raise Refused("type")


def _zip_document_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                # OpenDocument: a stored "mimetype" part naming the kind of document.
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
            if "[Content_Types].xml" not in names or any(
                name.lower().endswith("vbaproject.bin") for name in names
            ):
                return None
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    return None
