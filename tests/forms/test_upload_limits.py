"""Issue 13, items 8 and 13: uploads cannot fill the disk. A replaced file is deleted at once, a draft's
files have a total cap, an oversized request is refused before it is read (413 in French), and a full
disk is a French message on the field, not a 500."""

import errno

from django.core.files.storage import FileSystemStorage

from forms.family.services import private_storage
from forms.models import Draft, DraftFile

from .conftest import PDF, family_client, field, make_form, pdf, step, step_url

MB = 1024 * 1024


class FullDiskStorage(FileSystemStorage):
    """What cannot run here: a disk that fills up. Every save fails as the kernel says it (ENOSPC)."""

    def save(self, name, content, max_length=None):
        raise OSError(errno.ENOSPC, "No space left on device")


def documents_form(council, **settings):
    return make_form(
        council,
        step(
            "Pièces",
            field("short_text", "nom", "Nom"),
            field("file", "domicile", "Justificatif de domicile"),
            field("file", "assurance", "Attestation d'assurance", required=False),
            field("file", "vaccins", "Pages de vaccination", required=False),
        ),
        **settings,
    )


def big_pdf(size: int, name="scan.pdf"):
    return pdf(name, PDF + b"0" * (size - len(PDF)))


def stored_files(draft) -> list[str]:
    _folders, files = private_storage().listdir(f"forms/{draft.form_page_id}/{draft.uuid}")
    return files


def test_replacing_a_file_ten_times_keeps_one_file(council_a, family, django_capture_on_commit_callbacks):
    page = documents_form(council_a)
    client = family_client(family)
    client.post(page.url)
    replacements = 10
    for number in range(replacements):
        with django_capture_on_commit_callbacks(execute=True):
            data = {"nom": "Martin", "domicile": big_pdf(MB, f"facture-{number}.pdf")}
            assert client.post(step_url(page, 1), data).status_code == 302
    draft = Draft.objects.get()
    kept = DraftFile.objects.filter(draft=draft)
    assert (replacements, kept.count(), len(stored_files(draft))) == (10, 1, 1)
    assert kept.get().original_name == "facture-9.pdf"
    assert draft.answers["domicile"] == str(kept.get().uuid)


def test_a_draft_s_files_have_a_total_cap(council_a, family, settings, django_capture_on_commit_callbacks):
    settings.DRAFT_FILES_MAX_SIZE = 3 * MB
    page = documents_form(council_a)
    client = family_client(family)
    client.post(page.url)
    assert client.post(step_url(page, 1), {"nom": "Martin", "domicile": big_pdf(2 * MB)}).status_code == 302
    response = client.post(step_url(page, 1), {"nom": "Martin", "assurance": big_pdf(2 * MB, "assurance.pdf")})
    body = response.content.decode()
    assert response.status_code == 200 and "error-summary" in body and 'href="#id_assurance"' in body
    assert "ne peuvent pas dépasser" in body
    draft = Draft.objects.get()
    assert [f.key for f in draft.files.all()] == ["domicile"] and not draft.answers.get("assurance")
    # Replacing the big file by a lighter one is within the cap: the old one does not count.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(step_url(page, 1), {"nom": "Martin", "domicile": big_pdf(MB)}).status_code == 302
    assert client.post(step_url(page, 1), {"nom": "Martin", "assurance": big_pdf(MB)}).status_code == 302
    assert draft.files.count() == 2 and len(stored_files(draft)) == 2


def test_an_oversized_request_is_refused_before_it_is_read(council_a, family, settings):
    settings.MAX_REQUEST_BODY_SIZE = MB
    page = documents_form(council_a)
    client = family_client(family)
    client.post(page.url)
    tried = refused = 0
    # A real body over the cap, and one that only declares 200 MB: the answer comes from the header.
    for extra in ({}, {"CONTENT_LENGTH": str(200 * MB)}):
        data = {"nom": "Martin", "domicile": big_pdf(2 * MB if not extra else 1000)}
        response = client.post(step_url(page, 1), data, **extra)
        tried += 1
        body = response.content.decode()
        if response.status_code == 413 and "Fichiers trop volumineux" in body and "1,0" in body:
            refused += 1
    assert (tried, refused) == (2, 2)
    assert not DraftFile.objects.exists() and Draft.objects.get().answers == {}
    assert client.post(step_url(page, 1), {"nom": "Martin", "domicile": big_pdf(MB // 2)}).status_code == 302


def test_a_full_disk_is_a_french_message_and_the_draft_is_kept(council_a, family, settings):
    page = documents_form(council_a)
    client = family_client(family)
    client.post(page.url)
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": f"{__name__}.FullDiskStorage"}}
    response = client.post(step_url(page, 1), {"nom": "Martin", "domicile": pdf()})
    body = response.content.decode()
    assert response.status_code == 200 and 'href="#id_domicile"' in body
    assert "stockage du portail est plein" in body
    answers = Draft.objects.get().answers
    assert answers["nom"] == "Martin" and not answers.get("domicile") and not DraftFile.objects.exists()
