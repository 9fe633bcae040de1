"""Checks of uploaded files: size, extension and content (magic bytes), before anything is stored.

A file is accepted only when its extension is allowed by the form AND its first bytes say it is a
file of that same kind: ``facture.pdf`` that is really a Windows program is refused.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django's ``filesizeformat`` says "Kio"/"Mio" in French; French says "Ko"/"Mo". These are Django's own
# strings, listed here so that our catalogue (which takes precedence over Django's) gives them in French.
FILE_SIZE_UNITS = [gettext_noop("%s KB"), gettext_noop("%s MB"), gettext_noop("%s GB")]

# Kinds a form may accept: extension -> MIME types that the content may reveal.
SUPPORTED_FILE_TYPES: dict[str, set[str]] = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "webp": {"image/webp"},
    "heic": {"image/heic"},
    "odt": {"application/vnd.oasis.opendocument.text"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
}
DEFAULT_FILE_TYPES = ["pdf", "jpg", "jpeg", "png"]
DEFAULT_MAX_SIZE_MB = 10
# filetype needs the first bytes only (ZIP-based office files: the first 8 KiB hold the marker).
HEADER_SIZE = 8192


@dataclass(frozen=True)
class CheckedFile:
    """What we know about an accepted file."""

    name: str
    content_type: str
    size: int
    sha256: str


def parse_file_types(value: str | Iterable[str]) -> list[str]:
    """``"pdf, JPG ,.png"`` -> ``["pdf", "jpg", "png"]``."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    return [item.strip().lower().lstrip(".") for item in items if item.strip()]


def validate_file_types(value: str) -> None:
    """Model validator of a form's allowed file types (comma-separated extensions)."""
    types = parse_file_types(value)
    if not types:
        raise ValidationError(_("List at least one file type, e.g. pdf, jpg, png."), code="empty")
    unsupported = [item for item in types if item not in SUPPORTED_FILE_TYPES]
    if unsupported:
        raise ValidationError(
            _("These file types are not supported: %(types)s. Supported types: %(supported)s."),
            params={"types": ", ".join(unsupported), "supported": ", ".join(SUPPORTED_FILE_TYPES)},
            code="unsupported",
        )


def check_upload(upload, *, allowed_types: Iterable[str], max_size: int) -> CheckedFile:
    """Check an uploaded file (Django ``UploadedFile``) and return its facts, or raise ``ValidationError``."""
    allowed = parse_file_types(allowed_types)
    name = PurePath(upload.name or "").name
    if upload.size > max_size:
        raise ValidationError(
            _("The file is too large (%(size)s). The maximum is %(max)s."),
            params={"size": filesizeformat(upload.size), "max": filesizeformat(max_size)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in allowed:
        raise ValidationError(
            _("Files of type “%(extension)s” are not accepted. Accepted types: %(allowed)s."),
            params={"extension": extension or "?", "allowed": ", ".join(allowed)},
            code="extension",
        )
    upload.seek(0)
    header = upload.read(HEADER_SIZE)
    kind = filetype.guess(header)
    expected = SUPPORTED_FILE_TYPES.get(extension, set())
    if kind is None or kind.mime not in expected:
        raise ValidationError(
            _("The content of this file does not match its “.%(extension)s” extension. Send the original document."),
            params={"extension": extension},
            code="content",
        )
    digest = hashlib.sha256(header)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=name, content_type=kind.mime, size=upload.size, sha256=digest.hexdigest())
