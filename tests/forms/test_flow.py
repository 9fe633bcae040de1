"""A family fills a form step by step, checks its answers and sends it."""

from django.core import mail

from forms.models import Dossier, DossierStatus, Draft

from .conftest import family_client, field, group, make_form, pdf, step, step_url, when


def simple_form(council, **settings):
    return make_form(
        council,
        step(
            "Vous",
            field("short_text", "nom", "Nom"),
            field("email", "courriel", "Courriel", required=False),
            field("yes_no", "a_pai", "Votre enfant a-t-il un PAI ?"),
        ),
        step("Le PAI", field("file", "protocole", "Protocole"), condition=when("a_pai")),
        step(
            "Enfants",
            group("enfants", field("short_text", "prenom", "Prénom"), field("date", "ne_le", "Date de naissance")),
        ),
        reference_prefix="DF",
        **settings,
    )


def test_fill_review_and_submit(council_a, family, django_capture_on_commit_callbacks):
    page = simple_form(council_a)
    client = family_client(family)
    response = client.post(page.url)
    assert response.status_code == 302 and response["Location"].endswith("etape/1/")
    response = client.get(step_url(page, 1))
    assert response.status_code == 200
    assert "Étape 1 sur 2" in response.content.decode()
    response = client.post(step_url(page, 1), {"nom": "Martin", "courriel": "", "a_pai": "non"})
    # The PAI step is skipped: "non".
    assert response["Location"].endswith("etape/3/")
    response = client.post(
        step_url(page, 3), {"enfants-count": "1", "enfants-0-prenom": "Léa", "enfants-0-ne_le": "2018-05-02"}
    )
    assert response["Location"].endswith("verifier/")
    response = client.get(f"{page.url}verifier/")
    body = response.content.decode()
    assert "Martin" in body and "Léa" in body and "etape/1/?retour=verifier" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    assert response["Location"].endswith(f"envoye/{dossier.reference}/")
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.answers == {
        "nom": "Martin",
        "courriel": "",
        "a_pai": False,
        "enfants": [{"prenom": "Léa", "ne_le": "2018-05-02"}],
    }
    assert dossier.family == family and dossier.council.pk == council_a.pk
    assert dossier.revision_id == page.live_revision_id
    assert not Draft.objects.exists()
    assert len(mail.outbox) == 1 and dossier.reference in mail.outbox[0].body
    assert "Martin" not in mail.outbox[0].body
    response = client.get(f"{page.url}envoye/{dossier.reference}/")
    assert dossier.reference in response.content.decode()


def test_invalid_step_shows_summary_and_keeps_values(council_a, family):
    page = simple_form(council_a)
    client = family_client(family)
    client.post(page.url)
    response = client.post(step_url(page, 1), {"nom": "Martin", "courriel": "pas-un-courriel", "a_pai": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in body and 'href="#id_courriel"' in body and 'href="#id_a_pai"' in body
    assert 'value="pas-un-courriel"' in body and 'value="Martin"' in body
    # What was valid is already in the draft.
    assert Draft.objects.get().answers == {"nom": "Martin"}


def test_file_stored_even_when_another_field_is_wrong(council_a, family):
    page = make_form(
        council_a, step("Pièces", field("short_text", "nom", "Nom"), field("file", "justificatif", "Justificatif"))
    )
    client = family_client(family)
    client.post(page.url)
    response = client.post(step_url(page, 1), {"nom": "", "justificatif": pdf()})
    assert response.status_code == 200
    draft = Draft.objects.get()
    stored = draft.files.get()
    assert draft.answers["justificatif"] == str(stored.uuid)
    assert "attestation.pdf" in response.content.decode()
    # Sending the step again without choosing the file keeps it.
    response = client.post(step_url(page, 1), {"nom": "Martin"})
    assert response.status_code == 302
    assert Draft.objects.get().answers == {"nom": "Martin", "justificatif": str(stored.uuid)}
