"""Upload checks: size, extension and content."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from forms.engine.files import check_upload, validate_file_types

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 64
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_real_pdf_is_accepted_with_its_facts():
    checked = check_upload(upload("attestation.pdf", PDF), allowed_types=["pdf"], max_size=1000)
    assert checked.content_type == "application/pdf"
    assert checked.size == len(PDF)
    assert len(checked.sha256) == 64


def test_a_renamed_exe_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("attestation.pdf", EXE), allowed_types=["pdf", "png"], max_size=10_000)
    assert error.value.code == "content"


def test_a_png_named_pdf_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("attestation.pdf", PNG), allowed_types=["pdf", "png"], max_size=10_000)
    assert error.value.code == "content"


def test_too_large_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("a.pdf", PDF), allowed_types=["pdf"], max_size=10)
    assert error.value.code == "too_large"


def test_extension_not_allowed_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("photo.png", PNG, "image/png"), allowed_types=["pdf"], max_size=10_000)
    assert error.value.code == "extension"


def test_file_type_list_validation():
    validate_file_types("pdf, JPG, .png")
    with pytest.raises(ValidationError):
        validate_file_types("pdf, exe")
    with pytest.raises(ValidationError):
        validate_file_types(" , ")
