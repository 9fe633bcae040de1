"""What can go wrong with an API Particulier call, in a few kinds the portal knows how to handle.

Upstream errors (v3 body ``{"errors": [{"code", "title", "detail", "source"?, "meta"?}]}``, code = 2-digit
provider + 3-digit kind) are mapped by HTTP status **and** code to an :class:`ErrorKind`. Each kind has a
message for the family (English source, translated by the Django layer: ``gettext(FAMILY_MESSAGES[kind])``)
and a hint for staff. Nothing here may contain the identity that was sent.
"""

import re
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Mark a string for translation without importing Django (``makemessages`` extracts it)."""
    return message


class ErrorKind(StrEnum):
    NO_FILE = "no_file"
    IDENTITY_MISMATCH = "identity_mismatch"
    INVALID_INPUT = "invalid_input"
    UNAUTHORISED = "unauthorised"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    # The benefit holder was found but no usable QF came back (value 0, block missing, CNAF 23502).
    QF_UNKNOWN = "qf_unknown"
    # Local refusal: no active authorisation of the council grants the scopes asked for.
    NOT_ALLOWED = "not_allowed"


# Codes that decide the kind whatever the status (checked before the status table).
CODE_KINDS = {
    "00355": ErrorKind.IDENTITY_MISMATCH,  # allocataire cannot be identified
    "23003": ErrorKind.NO_FILE,  # no CNAF file
    "10003": ErrorKind.NO_FILE,  # no MSA file
    "35003": ErrorKind.NO_FILE,  # not referenced with any eligible fund
    "37003": ErrorKind.NO_FILE,  # staging's variant of "no file"
    "23502": ErrorKind.QF_UNKNOWN,  # CNAF found the person but returned no QF
    # Recipient SIRET missing/invalid: a configuration fault of the council, handled like a bad token
    # (staff must act; the family cannot fix it).
    "00203": ErrorKind.UNAUTHORISED,
    "00210": ErrorKind.UNAUTHORISED,
    "00211": ErrorKind.UNAUTHORISED,
    "00015": ErrorKind.BUSY,  # identical request already in flight
    "00429": ErrorKind.BUSY,
    "37008": ErrorKind.BUSY,  # the provider itself is rate limited
}

STATUS_KINDS = {
    401: ErrorKind.UNAUTHORISED,
    403: ErrorKind.UNAUTHORISED,
    404: ErrorKind.NO_FILE,
    409: ErrorKind.BUSY,
    422: ErrorKind.INVALID_INPUT,
    429: ErrorKind.BUSY,
}

FAMILY_MESSAGES = {
    ErrorKind.NO_FILE: gettext_noop(
        "The CAF and the MSA have no file for this person. If you receive family benefits, check that you "
        "entered the identity of the benefit holder (allocataire). Otherwise, please upload a CAF "
        "certificate or your latest tax notice."
    ),
    ErrorKind.IDENTITY_MISMATCH: gettext_noop(
        "We could not identify the benefit holder from these details. Please check the birth name, the "
        "first names (as on the birth certificate) and the place of birth, then try again; you can also "
        "upload a CAF certificate or your latest tax notice."
    ),
    ErrorKind.INVALID_INPUT: gettext_noop(
        "Some of the details are not in the expected format. Please check them and try again, or upload a "
        "CAF certificate or your latest tax notice."
    ),
    ErrorKind.UNAUTHORISED: gettext_noop(
        "Automatic retrieval is not available at the moment; the council's staff have been told. Please "
        "upload a CAF certificate or your latest tax notice. Your draft is kept."
    ),
    ErrorKind.BUSY: gettext_noop(
        "The service is very busy. Please try again in a few minutes, or upload a CAF certificate or your "
        "latest tax notice. Your draft is kept."
    ),
    ErrorKind.UNAVAILABLE: gettext_noop(
        "The CAF/MSA service is not answering at the moment. Your draft is kept: please try again later, "
        "or upload a CAF certificate or your latest tax notice."
    ),
    ErrorKind.QF_UNKNOWN: gettext_noop(
        "Your benefit office did not give a family quotient (QF) for this period. Please upload a CAF "
        "certificate or your latest tax notice."
    ),
    ErrorKind.NOT_ALLOWED: gettext_noop(
        "Automatic retrieval is not offered for this form. Please upload a CAF certificate or your latest tax notice."
    ),
}

STAFF_HINTS = {
    ErrorKind.NO_FILE: "No CAF/MSA file for this identity (not an allocataire, special regime, or other parent).",
    ErrorKind.IDENTITY_MISMATCH: "Identity not matched: check birth name, first names and place of birth.",
    ErrorKind.INVALID_INPUT: "Parameters refused by the API (format, period N-2..N, month not in the future).",
    ErrorKind.UNAUTHORISED: "Token missing, invalid, expired, revoked or lacking scopes, or recipient SIRET "
    "refused: check the habilitation (introspect) and renew the token.",
    ErrorKind.BUSY: "Rate limited or identical request in flight: retried within bounds, then gave up.",
    ErrorKind.UNAVAILABLE: "API or provider unavailable (5xx, timeout, connection error or malformed reply).",
    ErrorKind.QF_UNKNOWN: "The provider answered without a usable QF (value 0 or block missing).",
    ErrorKind.NOT_ALLOWED: "No active, unexpired habilitation of this council grants the scopes asked for.",
}

_QUERY_RE = re.compile(r"\?[^\s\"'<>]*")


def redact(text: str) -> str:
    """Remove query strings from any URL in ``text`` (identity parameters travel in the query string)."""
    return _QUERY_RE.sub("?[redacted]", text)


def kind_for(status: int | None, code: str | None) -> ErrorKind:
    """The kind of an upstream error, from its error code first and its HTTP status otherwise."""
    if code in CODE_KINDS:
        return CODE_KINDS[code]
    if status in STATUS_KINDS:
        return STATUS_KINDS[status]
    if status is not None and 400 <= status < 500:
        return ErrorKind.INVALID_INPUT
    return ErrorKind.UNAVAILABLE


class ApiError(Exception):
    """A failed API Particulier call. Its text is technical (for staff) and never holds identities."""

    def __init__(
        self,
        kind: ErrorKind,
        *,
        http_status: int | None = None,
        code: str | None = None,
        title: str = "",
        detail: str = "",
        request_id: str | None = None,
        route: str = "",
    ) -> None:
        self.kind = ErrorKind(kind)
        self.http_status = http_status
        self.code = code
        self.title = redact(title)[:200]
        self.detail = redact(detail)[:500]
        self.request_id = request_id
        self.route = route
        super().__init__(self.technical_message)

    @property
    def technical_message(self) -> str:
        parts = [f"API Particulier {self.route or ''} {self.kind.value}".replace("  ", " ")]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.code:
            parts.append(f"code {self.code}")
        text = ", ".join(parts)
        if self.title or self.detail:
            text += f": {self.title}{' - ' if self.title and self.detail else ''}{self.detail}"
        if self.request_id:
            text += f" (X-Request-Id {self.request_id})"
        return f"{text}. {STAFF_HINTS[self.kind]}"

    @property
    def family_message(self) -> str:
        """English source of the family's message; translate it with ``gettext`` in the Django layer."""
        return FAMILY_MESSAGES[self.kind]

    def __repr__(self) -> str:
        return f"ApiError(kind={self.kind.value!r}, http_status={self.http_status!r}, code={self.code!r})"
