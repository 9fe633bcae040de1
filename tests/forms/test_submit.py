"""Sending a dossier: whole form validated again, atomic, with a human reference and the rules accepted."""

import datetime
import re

import pytest

from forms.family import services
from forms.models import Dossier, DossierFile, Draft, ReferenceSequence

from .conftest import family_client, field, make_form, pdf, step, step_url


def make_rules(council):
    from home.models import RulesPage

    page = RulesPage(
        title="Règlement intérieur",
        slug="reglement",
        body="<p>Article 1 : les familles inscrivent leurs enfants chaque année.</p>",
        effective_date=datetime.date(2025, 9, 1),
    )
    council.add_child(instance=page)
    page.save_revision().publish()
    return page


def form_with_rules_and_file(council):
    rules = make_rules(council)
    return make_form(
        council,
        step("Pièces", field("short_text", "nom", "Nom"), field("file", "justificatif", "Justificatif")),
        step("Règlement", field("rules", "reglement", "Règlement intérieur", rules_page=rules.pk)),
        reference_prefix="DF",
    ), rules


def fill(client, page):
    client.post(page.url)
    assert client.post(step_url(page, 1), {"nom": "Martin", "justificatif": pdf()}).status_code == 302
    response = client.post(step_url(page, 2), {"reglement__guardian": "Camille Martin", "reglement__accepted": "on"})
    assert response.status_code == 302, response.content.decode()


def test_submit_records_rules_acceptance_and_files(council_a, family):
    from home.selectors import rules_acceptance_status

    page, rules = form_with_rules_and_file(council_a)
    client = family_client(family)
    body = client.get(page.url).content.decode()
    fill(client, page)
    assert rules_acceptance_status(rules_page=rules, user=family) == "never"
    client.post(f"{page.url}verifier/", HTTP_USER_AGENT="Firefox test")
    dossier = Dossier.objects.get()
    assert rules_acceptance_status(rules_page=rules, user=family) == "accepted"
    assert dossier.answers["reglement"]["guardian_name"] == "Camille Martin"
    assert dossier.answers["reglement"]["version"] == 1
    stored = DossierFile.objects.get()
    assert dossier.answers["justificatif"] == str(stored.uuid)
    assert stored.original_name == "attestation.pdf" and stored.content_type == "application/pdf"
    assert len(stored.sha256) == 64 and stored.key == "justificatif"
    assert body  # the start page renders


def test_forced_failure_leaves_no_dossier_and_keeps_the_draft(council_a, family, monkeypatch):
    page, rules = form_with_rules_and_file(council_a)
    client = family_client(family)
    fill(client, page)
    draft_answers = Draft.objects.get().answers

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("forms.family.services.DossierEvent.objects.create", broken)
    with pytest.raises(RuntimeError):
        services.dossier_submit(draft=Draft.objects.get(), request_meta={"ip_address": "127.0.0.1", "user_agent": "x"})
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    draft = Draft.objects.get()
    assert draft.answers == draft_answers and draft.files.count() == 1
    assert not rules.acceptances.exists()
    # The reference number was given back with the rollback.
    assert not ReferenceSequence.objects.filter(last_number__gt=0).exists()


def test_references_follow_a_sequence_per_council_prefix_and_year(council_a, council_b, family, other_family):
    page_a = make_form(council_a, step("Un", field("short_text", "nom", "Nom")), reference_prefix="DF")
    page_b = make_form(council_b, step("Un", field("short_text", "nom", "Nom")), reference_prefix="DF")
    references = []
    for page, user, host in [
        (page_a, family, "localhost"),
        (page_a, other_family, "localhost"),
        (page_b, family, "bellerive.localhost"),
    ]:
        client = family_client(user, host=host)
        client.post(page.url)
        client.post(step_url(page, 1), {"nom": "X"})
        client.post(f"{page.url}verifier/")
        references.append(Dossier.objects.latest("pk").reference)
    year = datetime.date.today().year
    assert references == [f"DF-{year}-000001", f"DF-{year}-000002", f"DF-{year}-000001"]
    assert all(re.fullmatch(r"DF-\d{4}-\d{6}", ref) for ref in references)


def test_incomplete_draft_is_sent_back_to_the_step(council_a, family):
    page = make_form(
        council_a, step("Un", field("short_text", "nom", "Nom")), step("Deux", field("short_text", "ville", "Ville"))
    )
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "X"})
    response = client.post(f"{page.url}verifier/")
    assert response["Location"].endswith("etape/2/")
    assert not Dossier.objects.exists()


def test_one_dossier_per_period_and_read_only_after(council_a, family):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "X"})
    client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    # No new draft, no change: the form refuses a second dossier for the period.
    client.post(page.url)
    assert not Draft.objects.exists()
    assert client.post(step_url(page, 1), {"nom": "Y"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.answers == {"nom": "X"}
    body = client.get(f"/espace-famille/dossiers/{dossier.uuid}/").content.decode()
    assert dossier.reference in body and "<form" not in body.split("<main")[1].split("</main>")[0]


def test_closed_form_cannot_be_filled(council_a, family):
    from django.utils import timezone

    page = make_form(
        council_a, step("Un", field("short_text", "nom", "Nom")), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    client = family_client(family)
    client.post(page.url)
    assert not Draft.objects.exists()


def test_anonymous_visitor_is_sent_to_login(council_a, client):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    response = client.get(step_url(page, 1))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_anonymous_form_can_be_sent_without_account(council_a, client):
    page = make_form(
        council_a,
        step("Un", field("short_text", "nom", "Nom"), field("email", "courriel", "Courriel")),
        access="anonymous",
    )
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "X", "courriel": "x@example.fr"})
    response = client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    assert dossier.family is None and dossier.contact_email == "x@example.fr"
    assert client.get(response["Location"]).status_code == 200


def test_health_answers_never_reach_the_logs(council_a, family, caplog, django_capture_on_commit_callbacks):
    import logging

    caplog.set_level(logging.DEBUG)
    page = make_form(
        council_a,
        step("PAI", field("long_text", "allergies", "Allergies", health=True)),
        is_health_data=True,
        reference_prefix="PAI",
    )
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"allergies": "Allergie sévère à l'arachide"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    assert dossier.is_health_data and dossier.answers["allergies"]
    assert "arachide" not in caplog.text
    assert dossier.reference in caplog.text
