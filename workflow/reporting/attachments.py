"""Evidence files: checked by their content, stored outside the web root under random names."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..accounts.permissions import authorize, can_edit_report
from ..errors import InvalidInput
from ..extensions import db
from .models import Attachment, ProgressReport

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Office formats are zip files; their first entries say which one.
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes, data: bytes) -> str | None:
    """Return the media type the bytes show (PDF, image, office document), or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/vnd.ms-office"
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(data)
    return None


def _office_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                if kind.startswith("application/vnd.oasis.opendocument."):
                    return kind
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def upload_folder() -> Path:
    """Return the folder files are kept in: under the instance folder, never served directly."""
    folder = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def add_attachment(
    report: ProgressReport, user: User, stream: IO[bytes], filename: str, *, field: str = "files"
) -> Attachment:
    """Keep an uploaded file with a draft report; raise InvalidInput for a wrong type or size."""
    authorize(
        can_edit_report,
        user,
        report,
        forbidden="only the plan's implementers may add files to progress reports",
        closed=f"files can only be added to a draft report; this one is '{report.state}'",
    )
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput({field: _l("must be at most %(mb)s MB", mb=limit // (1024 * 1024))})
    kind = sniff(data[:16], data)
    if kind is None:
        raise InvalidInput({field: _l("must be a PDF, an image or an office document")})
    stored = secrets.token_hex(16)
    (upload_folder() / stored).write_bytes(data)
    attachment = Attachment(
        report_id=report.id,
        stored_name=stored,
        filename=(Path(filename or "file").name or "file")[:255],
        content_type=kind,
        size=len(data),
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def stored_path(attachment: Attachment) -> Path:
    """Return where an attachment's bytes are kept."""
    return upload_folder() / attachment.stored_name
