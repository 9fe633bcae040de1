"""Every upstream error maps, by HTTP status and error code, to the kind the portal acts on."""

import pytest

from connectors.api_particulier.errors import FAMILY_MESSAGES, STAFF_HINTS, ApiError, ErrorKind, kind_for, redact


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, "23003", ErrorKind.NO_FILE),
        (404, "10003", ErrorKind.NO_FILE),
        (404, "35003", ErrorKind.NO_FILE),
        (404, "37003", ErrorKind.NO_FILE),
        (404, None, ErrorKind.NO_FILE),
        (422, "00355", ErrorKind.IDENTITY_MISMATCH),
        (422, "00366", ErrorKind.INVALID_INPUT),
        (422, "00354", ErrorKind.INVALID_INPUT),
        (422, "00356", ErrorKind.INVALID_INPUT),
        (400, None, ErrorKind.INVALID_INPUT),
        (422, "00203", ErrorKind.UNAUTHORISED),
        (422, "00210", ErrorKind.UNAUTHORISED),
        (401, "00101", ErrorKind.UNAUTHORISED),
        (401, "00103", ErrorKind.UNAUTHORISED),
        (401, "00105", ErrorKind.UNAUTHORISED),
        (403, "00100", ErrorKind.UNAUTHORISED),
        (403, "00107", ErrorKind.UNAUTHORISED),
        (409, "00015", ErrorKind.BUSY),
        (429, "00429", ErrorKind.BUSY),
        (504, "37008", ErrorKind.BUSY),
        (502, "37999", ErrorKind.UNAVAILABLE),
        (503, None, ErrorKind.UNAVAILABLE),
        (504, "37002", ErrorKind.UNAVAILABLE),
        (504, "37001", ErrorKind.UNAVAILABLE),
        (500, None, ErrorKind.UNAVAILABLE),
        (502, "23502", ErrorKind.QF_UNKNOWN),
        (None, None, ErrorKind.UNAVAILABLE),
    ],
)
def test_status_and_code_decide_the_kind(status, code, kind):
    assert kind_for(status, code) == kind


def test_every_kind_has_a_family_message_and_a_staff_hint():
    for kind in ErrorKind:
        assert FAMILY_MESSAGES[kind].endswith(".")
        assert STAFF_HINTS[kind]


def test_error_text_is_technical_and_redacts_urls():
    error = ApiError(
        ErrorKind.UNAVAILABLE,
        http_status=502,
        code="37999",
        detail="failed GET https://x.example/v3/dss/quotient_familial/identite?nomNaissance=DUPONT&prenoms[]=JEAN",
        request_id="rid-1",
        route="/v3/dss/quotient_familial/identite",
    )
    text = str(error)
    assert "DUPONT" not in text and "JEAN" not in text
    assert "HTTP 502" in text and "code 37999" in text and "rid-1" in text
    assert repr(error) == "ApiError(kind='unavailable', http_status=502, code='37999')"


def test_redact_keeps_the_path():
    assert redact("GET http://h/a/b?x=1&y=2 done") == "GET http://h/a/b?[redacted] done"
