"""Drafts saved on the server and resumed from another device; uploads checked and kept."""

import datetime

from django.utils import timezone

from forms.family.services import drafts_purge_expired
from forms.models import Draft, DraftFile

from .conftest import EXE, family_client, field, make_form, pdf, step, step_url


def two_steps(council, **settings):
    return make_form(
        council,
        step("Vous", field("short_text", "nom", "Nom"), field("phone", "telephone", "Téléphone")),
        step(
            "Pièces", field("file", "justificatif", "Justificatif de domicile"), field("postcode", "cp", "Code postal")
        ),
        **settings,
    )


def test_resume_from_another_device(council_a, family):
    page = two_steps(council_a)
    laptop = family_client(family)
    laptop.post(page.url)
    laptop.post(step_url(page, 1), {"nom": "Martin", "telephone": "06.12.34.56.78"})
    phone = family_client(family)
    body = phone.get(page.url).content.decode()
    assert "etape/2/" in body  # "Resume" goes to the furthest step
    body = phone.get(step_url(page, 1)).content.decode()
    assert 'value="Martin"' in body and 'value="06 12 34 56 78"' in body


def test_family_space_lists_drafts_with_expiry(council_a, family):
    page = two_steps(council_a)
    client = family_client(family)
    client.post(page.url)
    draft = Draft.objects.get()
    assert draft.expires_at > timezone.now() + datetime.timedelta(days=59)
    body = client.get("/espace-famille/").content.decode()
    assert page.title in body and draft.expires_at.strftime("%Y") in body


def test_each_councils_family_space_lists_only_the_drafts_of_its_own_forms(council_a, council_b, family):
    mine = two_steps(council_a, title="Inscription à Valmont")
    theirs = two_steps(council_b, title="Inscription à Bellerive")
    family_client(family).post(mine.url)
    family_client(family, host="bellerive.localhost").post(theirs.url)
    assert Draft.objects.filter(user=family).count() == 2
    body = family_client(family).get("/espace-famille/").content.decode()
    assert mine.title in body and theirs.title not in body
    body = family_client(family, host="bellerive.localhost").get("/espace-famille/").content.decode()
    assert theirs.title in body and mine.title not in body


def test_expired_drafts_are_purged(council_a, family):
    page = two_steps(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin", "telephone": "0612345678"})
    client.post(step_url(page, 2), {"justificatif": pdf(), "cp": "21000"})
    assert drafts_purge_expired(now=timezone.now() + datetime.timedelta(days=61)) == 1
    assert not Draft.objects.exists() and not DraftFile.objects.exists()


def test_renamed_exe_is_refused_and_the_draft_kept(council_a, family):
    page = two_steps(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin", "telephone": "0612345678"})
    response = client.post(step_url(page, 2), {"justificatif": pdf("facture.pdf", EXE), "cp": "21000"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and 'href="#id_justificatif"' in body
    assert not DraftFile.objects.exists()
    assert Draft.objects.get().answers == {"nom": "Martin", "telephone": "06 12 34 56 78", "cp": "21000"}


def test_too_large_file_is_refused(council_a, family):
    page = two_steps(council_a, max_file_size_mb=1)
    client = family_client(family)
    client.post(page.url)
    big = pdf(content=b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    response = client.post(step_url(page, 2), {"justificatif": big, "cp": "21000"})
    assert response.status_code == 200
    assert not DraftFile.objects.exists()


def test_bad_phone_and_postcode_messages(council_a, family):
    page = two_steps(council_a)
    client = family_client(family)
    client.post(page.url)
    response = client.post(step_url(page, 1), {"nom": "Martin", "telephone": "12345"})
    assert response.status_code == 200 and 'href="#id_telephone"' in response.content.decode()
    response = client.post(step_url(page, 2), {"cp": "ABCDE"})
    assert 'href="#id_cp"' in response.content.decode()


def test_purge_command(council_a, family):
    import io

    from django.core.management import call_command

    page = two_steps(council_a)
    family_client(family).post(page.url)
    Draft.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert "1 expired draft(s) deleted." in out.getvalue()
    assert not Draft.objects.exists()


def test_uploads_are_encrypted_at_rest_and_downloaded_as_sent(council_a, family):
    from forms.family.services import private_storage

    from .conftest import PDF

    page = two_steps(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin", "telephone": "0380000000"})
    client.post(step_url(page, 2), {"justificatif": pdf(), "cp": "21000"})
    stored = DraftFile.objects.get()
    with private_storage().open(stored.path, "rb") as handle:
        on_disk = handle.read()
    assert stored.encrypted and PDF not in on_disk and not on_disk.startswith(b"%PDF")
    response = client.get(f"/fichiers/{stored.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
