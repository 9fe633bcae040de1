"""The family side of the household (issue 17): next year's renewal starts from the household and asks only
what changed; the dashboard (consents withdrawn there, what to do next, prices); the PAI summary under the
health role; the second parent's invitation sent as a task; the child's name in the emails."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forms.demo import DOSSIER_FAMILLE_BACKOFFICE, dossier_famille
from forms.family.household import DocumentKind, HouseholdChildHealth, HouseholdDocument
from forms.family.household_selectors import household_for
from forms.family.notifications import notification_texts
from forms.family.renewal import renewal_steps
from forms.models import Dossier, Draft, NotificationEvent
from forms.models import DossierStatus as S
from tests.conftest import make_family, otp_client
from tests.connectors.conftest import give_consent, make_habilitation

from .conftest import PDF, family_client, field, make_agent, make_dossier, make_form, step, step_url, stored_pdf

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
BEAUNE = {"street": "La ferme du moulin", "complement": "", "postcode": "21200", "city": "Beaune", "insee": "21054"}


def demo_famille(council):
    """The demo's dossier famille (guardians, address with its proof, resources, children), renewable."""
    return make_form(
        council,
        *dossier_famille(None),
        slug="dossier-famille",
        reference_prefix="DF",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        **DOSSIER_FAMILLE_BACKOFFICE,
    )


def last_year(page, family):
    """Last year's validated dossier famille, its household on file (QF from the CAF), and a proof of address
    sent since and still valid."""
    answers = {
        "responsable1_nom": "Lambert",
        "responsable1_prenom": "Camille",
        "responsable1_telephone": "0601020304",
        "second_responsable": False,
        "adresse": BEAUNE,
        "quotient_familial": 620,
        "enfants": [
            {"prenom": "Emma", "nom": "Lambert", "date_naissance": f"{YEAR - 7}-03-02"},
            {"prenom": "Jules", "nom": "Lambert", "date_naissance": f"{YEAR - 5}-10-20"},
        ],
    }
    provenance = {"quotient_familial": {"provider": "CNAF", "period": f"{YEAR - 1}-11"}}
    dossier = make_dossier(page, family, answers, status=S.VALIDATED, qf=620, qf_source="cnaf", provenance=provenance)
    proof = stored_pdf(dossier, "justificatif_domicile")
    dossier.answers["justificatif_domicile"] = str(proof.uuid)
    dossier.submitted_at = timezone.now() - datetime.timedelta(days=370)
    dossier.save()
    household = household_for(user=family, council=page.get_parent().get_parent().specific)
    HouseholdDocument.objects.create(
        household=household,
        kind=DocumentKind.PROOF_OF_ADDRESS,
        label="Justificatif de domicile",
        file=proof,
        valid_until=timezone.localdate() + datetime.timedelta(days=60),
    )
    return dossier


def test_next_years_renewal_with_nothing_changed_asks_nothing_already_answered_and_keeps_valid_documents(
    council_a, family
):
    page = demo_famille(council_a)
    source = last_year(page, family)
    client = family_client(family)
    space = client.get("/espace-famille/").content.decode()
    assert f'href="/espace-famille/renouveler/{page.pk}/"' in space
    screen = client.get(f"/espace-famille/renouveler/{page.pk}/").content.decode()
    # What is on file, part by part, each to confirm; the proof of address still valid is kept.
    for shown in ("Camille Lambert", "Emma Lambert", "Jules Lambert", "La ferme du moulin", "Quotient familial 620"):
        assert shown in screen
    assert screen.count('value="unchanged"') == 4 and "Justificatif de domicile" in screen
    response = client.post(
        f"/espace-famille/renouveler/{page.pk}/",
        {f"part_{part}": "unchanged" for part in ("guardians", "children", "address", "qf")},
    )
    assert response.status_code == 302 and response["Location"] == f"{page.url}verifier/"  # no step asked
    draft = Draft.objects.get(user=family)
    assert renewal_steps(draft=draft, definition=page.build_definition()) == []
    review = client.post(f"{page.url}verifier/")
    assert review.status_code == 302
    dossier = Dossier.objects.exclude(pk=source.pk).get()
    assert dossier.renewal_of == source
    assert dossier.answers["adresse"] == BEAUNE and len(dossier.answers["enfants"]) == 2
    assert (dossier.qf, dossier.qf_source) == (620, "cnaf")  # the QF on file, with its source
    kept = dossier.files.get(key="justificatif_domicile")
    assert kept.original_name == "facture.pdf"  # the valid proof, not asked again


def test_a_renewal_with_a_changed_address_asks_only_the_address_step(council_a, family):
    page = demo_famille(council_a)
    last_year(page, family)
    client = family_client(family)
    response = client.post(
        f"/espace-famille/renouveler/{page.pk}/",
        {
            "part_guardians": "unchanged",
            "part_children": "unchanged",
            "part_address": "changed",
            "part_qf": "unchanged",
        },
    )
    assert response["Location"] == step_url(page, 2)  # "Adresse"
    draft = Draft.objects.get(user=family)
    assert "justificatif_domicile" not in draft.answers  # a new address needs its new proof
    moved = client.post(
        step_url(page, 2),
        {
            "adresse__street": "3 rue Monge",
            "adresse__postcode": "21000",
            "adresse__city": "Dijon",
            "justificatif_domicile": SimpleUploadedFile("edf.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert moved.status_code == 302 and moved["Location"] == f"{page.url}verifier/"  # nothing else asked
    draft.refresh_from_db()
    assert draft.answers["adresse"]["insee"] == "21231" and draft.answers["responsable1_nom"] == "Lambert"


def test_the_dashboard_lists_consents_with_a_way_to_withdraw_each_and_what_to_do_next(council_a, family):
    from connectors.models import Consent

    page = demo_famille(council_a)
    last_year(page, family)
    make_habilitation(council_a)
    consent = give_consent(family, council_a)
    client = family_client(family)
    html = client.get("/espace-famille/").content.decode()
    dashboard = html.split('id="household-title"', 1)[1]
    assert f"/espace-famille/consentements/{consent.pk}/retirer/" in dashboard
    response = client.post(f"/espace-famille/consentements/{consent.pk}/retirer/", {"next": "/espace-famille/"})
    assert response["Location"] == "/espace-famille/"
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None
    elsewhere = client.post(f"/espace-famille/consentements/{consent.pk}/retirer/", {"next": "https://example.com/"})
    assert elsewhere["Location"] == "/espace-famille/consentements/"  # never sent to another site
    assert f"/espace-famille/consentements/{consent.pk}/retirer/" not in client.get("/espace-famille/").content.decode()


def pai_on_file(council, family):
    """A household whose child Emma has a validated PAI (its protected health part)."""
    page = demo_famille(council)
    last_year(page, family)
    emma = household_for(user=family, council=council).children.get(first_name="Emma")
    pai_form = make_form(
        council,
        step("L'enfant", field("short_text", "prenom", "Prénom de l'enfant", meaning="first_name", role="child")),
        slug="pai",
        title="PAI",
        is_health_data=True,
    )
    pai = make_dossier(pai_form, family, {"prenom": "Emma"}, status=S.VALIDATED)
    HouseholdChildHealth.objects.create(child=emma, has_pai=True, summary="Allergie à l'arachide", dossier=pai)
    return page, emma


def test_the_pai_summary_shows_to_the_family_and_health_agents_only(council_a, family):
    page, _emma = pai_on_file(council_a, family)
    school_year_end = f"31 août {YEAR + (1 if timezone.localdate().month >= 9 else 0)}"
    dashboard = family_client(family).get("/espace-famille/").content.decode().split('id="household-title"', 1)[1]
    assert "PAI on file" not in dashboard  # translated
    assert "PAI enregistré depuis le" in dashboard and school_year_end in dashboard
    assert "arachide" in dashboard
    dossier = Dossier.objects.filter(form_page=page).first()
    health = otp_client(make_agent(council_a, "agent.sante", role="health"))
    panel = health.get(f"/admin/dossiers/{dossier.pk}/").content.decode().split('id="household-panel-title"', 1)[1]
    assert "PAI enregistré depuis le" in panel and "arachide" in panel
    agent = otp_client(make_agent(council_a, "agent.a"))
    panel = agent.get(f"/admin/dossiers/{dossier.pk}/").content.decode().split('id="household-panel-title"', 1)[1]
    assert (
        "Emma" in panel and "PAI enregistré" not in panel and "arachide" not in panel
    )  # never without the health role


@pytest.mark.django_db(transaction=True)  # the worker closes database connections between tasks
def test_the_second_parents_invitation_is_sent_by_the_worker_not_in_the_request(council_a, family, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    page = demo_famille(council_a)
    last_year(page, family)
    response = family_client(family).post("/espace-famille/foyer/inviter/", {"email": "dominique@example.fr"})
    assert response.status_code == 302
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path__endswith="household_invitation_send").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [message.to for message in mail.outbox] == [["dominique@example.fr"]]
    assert "/rejoindre/" in mail.outbox[0].body and "Rejoindre un foyer" in mail.outbox[0].subject


def test_emails_of_a_form_about_one_child_name_the_child(council_a, family):
    page, _emma = pai_on_file(council_a, family)
    pai = Dossier.objects.get(form_page__slug="pai")
    for event in (NotificationEvent.SUBMITTED, NotificationEvent.CORRECTION_REQUESTED, NotificationEvent.VALIDATED):
        subject, body = notification_texts(dossier=pai, event=event)
        assert "Emma" in subject and "PAI pour Emma" in body
    famille = Dossier.objects.get(form_page=page)
    subject, body = notification_texts(dossier=famille, event=NotificationEvent.SUBMITTED)
    assert "Emma" not in subject and "pour Emma" not in body  # a form about the household names no child


def test_alternating_custody_each_parent_files_their_own_household_with_the_same_child(council_a, family):
    """Each parent, with their own account, files their own dossier famille with the same child: two
    households, each with the child and its own QF; neither sees the other's."""
    from home.demo_pages import load_council_pages

    load_council_pages(council_a, surcharge="15")
    page = demo_famille(council_a)
    last_year(page, family)
    other = make_family("dominique.martin@example.fr")
    answers = {
        "responsable1_nom": "Martin",
        "responsable1_prenom": "Dominique",
        "responsable1_telephone": "0611111111",
        "second_responsable": False,
        "adresse": {"street": "3 rue Monge", "complement": "", "postcode": "21000", "city": "Dijon", "insee": "21231"},
        "quotient_familial": 1600,
        "enfants": [{"prenom": "Emma", "nom": "Lambert", "date_naissance": f"{YEAR - 7}-03-02"}],
    }
    make_dossier(page, other, answers, qf=1600, qf_source="cnaf")
    mine, theirs = household_for(user=family, council=council_a), household_for(user=other, council=council_a)
    assert mine != theirs and (mine.qf, theirs.qf) == (620, 1600)
    assert [c.first_name for c in theirs.children.all()] == ["Emma"]
    assert mine.children.filter(first_name="Emma", birth_date=theirs.children.get().birth_date).exists()
    their_space = family_client(other).get("/espace-famille/").content.decode()
    assert "Dominique Martin" in their_space and "Camille Lambert" not in their_space and "Jules" not in their_space
    assert "Quotient familial 1600 (CAF)" in their_space


def test_what_to_do_next_names_new_rules_a_correction_and_a_document_about_to_expire(council_a, family):
    from tests.home.conftest import accept, make_rules, republish

    page = demo_famille(council_a)
    source = last_year(page, family)
    rules = make_rules(council_a)
    accept(rules, family)
    republish(rules, body="<p>Article 1 modifié.</p>", effective_date=timezone.localdate() - datetime.timedelta(days=1))
    HouseholdDocument.objects.filter(kind=DocumentKind.PROOF_OF_ADDRESS).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=10)
    )
    Dossier.objects.filter(pk=source.pk).update(status=S.CORRECTION_REQUESTED)
    html = family_client(family).get("/espace-famille/").content.decode()
    todo = html.split('id="todo-title"', 1)[1].split("</ul>", 1)[0]
    assert f'href="{rules.url}accepter/"' in todo and "Nouvelles règles" in todo
    assert source.reference in todo and f"/espace-famille/dossiers/{source.uuid}/" in todo
    assert "Justificatif de domicile" in todo
