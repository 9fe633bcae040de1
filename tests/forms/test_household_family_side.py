"""The family side of the household (issue 17): next year's renewal starts from the household and asks only
what changed; the dashboard (consents withdrawn there, what to do next, prices); the PAI summary under the
health role; the second parent's invitation sent as a task; the child's name in the emails."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from forms.demo import DOSSIER_FAMILLE_BACKOFFICE, dossier_famille
from forms.family.household import DocumentKind, HouseholdDocument
from forms.family.household_selectors import household_for
from forms.family.renewal import renewal_steps
from forms.family.services import private_storage
from forms.models import Dossier, DossierFile, Draft
from forms.models import DossierStatus as S
from tests.connectors.conftest import give_consent, make_habilitation

from .conftest import PDF, family_client, make_dossier, make_form, step_url

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


def stored_file(dossier, key, name="facture.pdf"):
    path = private_storage().save(f"forms/test/{name}", ContentFile(PDF))
    return DossierFile.objects.create(
        dossier=dossier,
        key=key,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        path=path,
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
    proof = stored_file(dossier, "justificatif_domicile")
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
