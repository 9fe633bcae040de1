"""The agents' back-office over HTTP: correction flow end to end, notes, exports, PDF, counter, renewal."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forms.models import Dossier, DossierFile, Draft, NotificationLog
from tests.conftest import otp_client

from .conftest import (
    famille_form,
    family_client,
    field,
    make_agent,
    make_decree,
    make_dossier,
    pdf,
    step_url,
    stored_pdf,
)


@pytest.fixture(autouse=True)
def _commit_callbacks_run_at_once(monkeypatch):
    """Each test runs in a transaction that never commits: run the "after commit" work (emails) at once."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


def send_famille(client, page, *, nom="Martin", qf="650"):
    client.post(page.url)
    data = {
        "nom": nom,
        "quotient_familial": qf,
        "justificatif_domicile": pdf("facture.pdf"),
        "assurance": pdf("assurance.pdf"),
        "services": ["Restauration scolaire"],
        "enfants-count": "1",
        "enfants-0-prenom": "Léa",
        "enfants-0-allergie": "oui",
    }
    response = client.post(step_url(page, 1), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(f"{page.url}verifier/")
    return Dossier.objects.latest("pk")


def test_submitted_corrected_resubmitted_validated(council_a, family):
    make_decree(council_a)
    page = famille_form(council_a, services_chosen=True)
    family_http = family_client(family)
    dossier = send_famille(family_http, page)
    assert dossier.reference in mail.outbox[-1].subject
    assert f"/espace-famille/dossiers/{dossier.uuid}/" in mail.outbox[-1].body and "Léa" not in mail.outbox[-1].body
    agent = otp_client(make_agent(council_a, "agent.a"))
    base = f"/admin/dossiers/{dossier.pk}/"
    assert agent.post(f"{base}review/").status_code == 302
    detail = agent.get(base).content.decode()
    targets = [
        t.path
        for t in __import__("forms.backoffice.workflow").backoffice.workflow.correction_targets(
            dossier=dossier, include_health=False
        )
    ]
    fields = {
        f"item_{targets.index('nom')}": "incorrect",
        f"item_{targets.index('justificatif_domicile')}": "out_of_date",
    }
    assert agent.post(f"{base}correction/", {**fields, "message": "Merci de corriger."}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "correction_requested" and 'name="item_0"' in detail
    assert NotificationLog.objects.filter(dossier=dossier, event="correction_requested", status="sent").exists()

    # The family sees exactly what to fix, and nothing else can be sent.
    own = family_http.get(f"/espace-famille/dossiers/{dossier.uuid}/").content.decode()
    assert "Merci de corriger." in own and 'name="c0-nom"' in own and 'name="c1-justificatif_domicile"' in own
    assert 'name="c2' not in own and "quotient_familial" not in own
    invalid = family_http.post(f"/espace-famille/dossiers/{dossier.uuid}/", {"c0-nom": ""})
    assert invalid.status_code == 200 and "error-summary" in invalid.content.decode()
    response = family_http.post(
        f"/espace-famille/dossiers/{dossier.uuid}/",
        {"c0-nom": "Martine", "c1-justificatif_domicile": pdf("nouvelle-facture.pdf"), "quotient_familial": "1"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and dossier.answers["nom"] == "Martine"
    assert dossier.answers["quotient_familial"] == 650
    old = DossierFile.objects.get(original_name="facture.pdf")
    new = DossierFile.objects.get(original_name="nouvelle-facture.pdf")
    assert old.replaced_at is not None and dossier.answers["justificatif_domicile"] == str(new.uuid)
    assert dossier.events.last().kind == "resubmitted"
    # Nothing else can be changed once sent again.
    assert family_http.post(f"/espace-famille/dossiers/{dossier.uuid}/", {"c0-nom": "X"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.answers["nom"] == "Martine"

    # The agent sees before / after, then validates with the QF read on the proof.
    detail = agent.get(base).content.decode()
    assert "Martin" in detail and "Martine" in detail and "facture.pdf" in detail and "nouvelle-facture.pdf" in detail
    agent.post(f"{base}review/")
    refused = agent.post(f"{base}validate/", {"comment": ""})
    dossier.refresh_from_db()
    assert refused.status_code == 302 and dossier.status == "under_review"
    agent.post(
        f"{base}validate/", {"qf": "650", "qf_month": "2026-01-01", "qf_provider": "cnaf", "comment": "Bienvenue"}
    )
    dossier.refresh_from_db()
    assert dossier.status == "validated" and dossier.qf_source == "cnaf"
    assert [q["service"]["key"] for q in dossier.prices["quotes"]] == ["cantine"]
    events = list(NotificationLog.objects.filter(dossier=dossier).order_by("pk").values_list("event", flat=True))
    assert events == ["submitted", "correction_requested", "submitted", "validated"]
    own = family_http.get(f"/espace-famille/dossiers/{dossier.uuid}/").content.decode()
    assert "Restauration scolaire" in own and "2,60" in own.replace("2.60", "2,60")
    statuses = list(dossier.events.exclude(kind="pricing").values_list("to_status", flat=True))
    assert statuses == ["submitted", "under_review", "correction_requested", "submitted", "under_review", "validated"]
    # The QF read on the proof is recorded, with its proof, in the internal history.
    assert dossier.events.get(kind="pricing").comment == "QF 650 lu sur un justificatif : Attestation CAF."


def test_private_notes_never_reach_the_family(council_a, family):
    page = famille_form(council_a)
    dossier = make_dossier(page, family, {"nom": "Martin"})
    agent = otp_client(make_agent(council_a, "agent.a"))
    agent.post(f"/admin/dossiers/{dossier.pk}/note/", {"text": "Famille connue du CCAS"})
    assert "Famille connue du CCAS" in agent.get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    own = family_client(family).get(f"/espace-famille/dossiers/{dossier.uuid}/").content.decode()
    assert "Famille connue du CCAS" not in own
    assert all("CCAS" not in message.body for message in mail.outbox)


def rows_of(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_export_filtered_columns_per_key_without_health_by_default(council_a, family, other_family):
    page = famille_form(council_a)
    make_dossier(page, family, {"nom": "=HYPERLINK()", "enfants": [{"prenom": "Léa", "allergie": True}]})
    make_dossier(page, other_family, {"nom": "Durand"}, status="validated")
    agent = otp_client(make_agent(council_a, "agent.a"))
    rows = rows_of(agent.get("/admin/dossiers/export.csv?status=submitted&health=1"))
    header, *data = rows
    assert len(data) == 1 and "Nom" in header and "Prénom (Enfant 1)" in header
    assert "Prénom (Enfant 2)" not in header  # as many children's columns as the data needs
    assert "Allergie (Enfant 1)" not in header
    assert data[0][header.index("Nom")] == "'=HYPERLINK()" and data[0][header.index("Prénom (Enfant 1)")] == "Léa"
    health_agent = otp_client(make_agent(council_a, "agent.sante", role="health"))
    header = rows_of(health_agent.get("/admin/dossiers/export.csv?status=submitted"))[0]
    assert "Allergie (Enfant 1)" not in header
    header, row = rows_of(health_agent.get("/admin/dossiers/export.csv?status=submitted&health=1"))
    assert row[header.index("Allergie (Enfant 1)")] == "Oui"
    header, *data = rows_of(agent.get("/admin/dossiers/export.csv?explode=enfants"))
    assert "Prénom (Enfant)" in header and len(data) == 2
    response = agent.get("/admin/dossiers/export.xlsx?status=validated")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][values[0].index("Nom")] == "Durand"


def bulk_dossiers(page, family, count):
    from forms.engine.rendering import definition_for

    definition = definition_for(page).as_json()
    now = timezone.now()
    Dossier.objects.bulk_create(
        [
            Dossier(
                reference=f"DF-2026-{number:06d}-{count}",
                form_page=page,
                revision_id=page.live_revision_id,
                definition=definition,
                answers={"nom": f"Famille {number}", "enfants": [{"prenom": "Léa"}, {"prenom": "Tom"}]},
                family=family,
                council_id=page.get_parent().get_parent().pk,
                submitted_at=now,
            )
            for number in range(count)
        ],
        batch_size=1000,
    )


def export_queries(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/admin/dossiers/export.csv?{query}")
        lines, largest = 0, 0
        for chunk in response.streaming_content:
            lines, largest = lines + chunk.count(b"\n"), max(largest, len(chunk))
    return len(captured), lines, largest


def test_exporting_10000_dossiers_streams_with_bounded_queries_and_memory(council_a, family):
    import tracemalloc

    page = famille_form(council_a)
    agent = otp_client(make_agent(council_a, "agent.a"))
    bulk_dossiers(page, family, 20)
    small_queries, small_lines, _largest = export_queries(agent)
    assert small_lines == 20 + 1  # header, one line per dossier
    bulk_dossiers(page, family, 10_000)
    tracemalloc.start()
    large_queries, large_lines, largest = export_queries(agent)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert large_lines == 10_020 + 1
    assert largest < 2 * 64 * 1024  # sent in pieces as it is read, never as a whole
    # The number of queries does not grow with the number of dossiers (the iterator reads by chunks
    # through one cursor), and the memory stays far below what 10 000 rows held at once would need.
    assert large_queries == small_queries
    assert peak < 15 * 1024 * 1024


def test_pdf_summary(council_a, family):
    page = famille_form(council_a)
    dossier = make_dossier(page, family, {"nom": "Martin", "enfants": [{"prenom": "Léa", "allergie": True}]})
    agent = otp_client(make_agent(council_a, "agent.a"))
    response = agent.get(f"/admin/dossiers/{dossier.pk}/resume.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_pdf_summary_prints_euros_and_french_dates(council_a, family):
    from pypdf import PdfReader

    page = famille_form(council_a)
    quote = {
        "service": {"label": "Restauration scolaire"},
        "amount": "2.60",
        "unit_label": "par repas",
        "explanation": ["Quotient familial retenu : 620 (source : CAF)."],
    }
    sent = timezone.make_aware(datetime.datetime(timezone.now().year, 9, 1, 9, 5))
    dossier = make_dossier(page, family, {"nom": "Lefèvre"}, submitted_at=sent, prices={"quotes": [quote]})
    response = otp_client(make_agent(council_a, "agent.a")).get(f"/admin/dossiers/{dossier.pk}/resume.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\u00a0", " ")
    assert "Restauration scolaire : 2,60 € par repas" in text
    assert f"Envoyé le : 1er septembre {sent.year} à 09:05" in text
    assert "Lefèvre" in text


def test_agent_files_a_dossier_at_the_counter(council_a, family):
    page = famille_form(council_a)  # its children's allergies are health data: the health role files it
    staff = make_agent(council_a, "agent.a", role="health")
    agent = otp_client(staff)
    response = agent.post("/admin/guichet/", {"form_page": page.pk, "email": family.email, "has_account": "account"})
    assert response.status_code == 302, response.content.decode()[:2000]
    step = response["Location"]
    data = {
        "nom": "Martin",
        "justificatif_domicile": pdf(),
        "enfants-count": "1",
        "enfants-0-prenom": "Léa",
        "enfants-0-allergie": "non",
    }
    response = agent.post(step, data)
    assert response.status_code == 302 and response["Location"].endswith("/envoyer/")
    assert "Martin" in agent.get(response["Location"]).content.decode()
    response = agent.post(response["Location"])
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/admin/dossiers/{dossier.pk}/"
    assert dossier.family == family and dossier.submitted_by_agent
    first = dossier.events.get()
    assert first.kind == "filed_by_agent" and first.actor == staff
    assert dossier.reference in family_client(family).get("/espace-famille/").content.decode()


def test_renewal_prefills_last_years_answers_and_asks_expired_documents_again(council_a, family):
    page = famille_form(council_a, opens_at=timezone.now() - datetime.timedelta(days=1))
    last_year = timezone.now() - datetime.timedelta(days=366)
    dossier = make_dossier(
        page,
        family,
        {"nom": "Martin", "quotient_familial": 650, "enfants": [{"prenom": "Léa", "allergie": False}]},
        status="validated",
    )
    for key, name in (("justificatif_domicile", "facture.pdf"), ("assurance", "assurance.pdf")):
        dossier.answers[key] = str(stored_pdf(dossier, key, name).uuid)
    dossier.submitted_at = last_year
    dossier.save()
    client = family_client(family)
    space = client.get("/espace-famille/").content.decode()
    assert f"/espace-famille/renouveler/{page.pk}/" in space
    response = client.post(f"/espace-famille/renouveler/{page.pk}/")
    assert response.status_code == 302
    draft = Draft.objects.get(user=family)
    assert draft.renewal_of == dossier
    assert draft.answers["nom"] == "Martin" and draft.answers["enfants"] == [{"prenom": "Léa", "allergie": False}]
    assert "justificatif_domicile" not in draft.answers and "quotient_familial" not in draft.answers
    copied = draft.files.get()
    assert copied.original_name == "assurance.pdf" and draft.answers["assurance"] == str(copied.uuid)
    # The expired proof of address is asked again: the step does not validate without it.
    step = client.post(
        step_url(page, 1),
        {"nom": "Martin", "enfants-count": "1", "enfants-0-prenom": "Léa", "enfants-0-allergie": "non"},
    )
    assert step.status_code == 200 and "justificatif_domicile" in step.content.decode()


def test_export_cells_keep_zero_and_no_answers_and_leave_unanswered_empty():
    from forms.backoffice.exports import Column, _value

    cells = {
        kind: _value({"k": value}, Column("k", field(kind, "k", "K"), False), None)
        for kind, value in [("integer", 0), ("yes_no", False), ("short_text", ""), ("multiple_choice", [])]
    }
    assert cells == {"integer": 0, "yes_no": "Non", "short_text": "", "multiple_choice": ""}


def test_agents_find_a_dossier_by_a_parents_or_a_childs_name(council_a, family, other_family):
    page = famille_form(council_a)
    lambert = make_dossier(page, family, {"nom": "Lambert", "enfants": [{"prenom": "Jules"}, {"prenom": "Léa"}]})
    durand = make_dossier(page, other_family, {"nom": "Durand", "enfants": [{"prenom": "Tom", "allergie": True}]})
    agent = otp_client(make_agent(council_a, "agent.a"))

    def found(query):
        listing = agent.get("/admin/dossiers/", {"q": query}).content.decode()
        return {dossier.reference for dossier in (lambert, durand) if f"/admin/dossiers/{dossier.pk}/" in listing}

    assert found("lambert") == {lambert.reference}
    assert found("Léa") == {lambert.reference}
    assert found("tom durand") == {durand.reference}
    assert found("Oui") == set()  # other answers (here a health one) are not searched


def test_exports_read_well_in_a_spreadsheet(council_a, family):
    from openpyxl import load_workbook

    page = famille_form(council_a)
    make_decree(council_a)
    quote = {
        "service": {"key": "cantine", "label": "Restauration scolaire"},
        "amount": "2.60",
        "unit_label": "par repas",
    }
    sent = timezone.make_aware(datetime.datetime(timezone.now().year, 9, 1, 9, 5))
    make_dossier(
        page,
        family,
        {"nom": "Lambert", "quotient_familial": 620},
        qf=620,
        submitted_at=sent,
        prices={"quotes": [quote]},
    )
    agent = otp_client(make_agent(council_a, "agent.a"))
    response = agent.get("/admin/dossiers/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows())
    price = next(label for label in header if label.startswith("Tarif : Restauration scolaire"))
    assert header[:4] == ["Référence", "Formulaire", "Statut", "Envoyé le"]
    assert row[header.index("Envoyé le")] == sent.replace(tzinfo=None)
    assert row[header.index("QF")] == 620 and row[header.index("Quotient familial")] == 620
    assert row[header.index(price)] == 2.6  # a number the spreadsheet can sum
    assert not any(label.startswith("Prénom (") for label in header)  # no child: no child columns
    header, line = rows_of(agent.get("/admin/dossiers/export.csv"))
    assert line[header.index("Envoyé le")] == f"01/09/{sent.year} 09:05" and line[header.index(price)] == "2,60"
    listing = agent.get("/admin/dossiers/").content.decode()
    assert 'type="radio" name="explode" value="enfants"' in listing and "Une ligne par enfant" in listing
