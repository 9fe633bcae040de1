"""API Particulier prefill in a form: opt-in consent, locked values enforced, provenance kept, manual route."""

import pytest

from connectors.services import PrefillResult
from forms.models import Dossier, Draft
from tests.connectors.conftest import make_habilitation

from .conftest import family_client, field, make_form, step, step_url

IDENTITY = {
    "prefill-birth_name": "Lambert",
    "prefill-first_name_1": "Camille",
    "prefill-sex": "F",
    "prefill-birth_date": "1986-04-12",
    "prefill-born_in": "france",
    "prefill-birth_commune_code": "21231",
}
PROVENANCE = {
    "source": "API Particulier",
    "provider": "CNAF",
    "period": "2026-05",
    "request_id": "req-1",
    "fetched_at": "2026-05-02T10:00:00+00:00",
    "route": "qf",
}


def prefill_form(council):
    mappings = [
        {"source": "qf.valeur", "target": "qf", "mode": "locked"},
        {"source": "adresse", "target": "adresse", "mode": "editable"},
    ]
    return make_form(
        council,
        step(
            "Ressources",
            field("prefill", "api", "Récupérer votre quotient familial", required=False, mappings=mappings),
            field("integer", "qf", "Quotient familial", required=False),
            field("address", "adresse", "Adresse", required=False),
            field("file", "attestation", "Attestation CAF ou avis d'impôt", required=False),
        ),
    )


@pytest.fixture
def fetched(monkeypatch):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return PrefillResult(
            ok=True,
            values={
                "qf.valeur": 620,
                "qf.fournisseur": "CNAF",
                "adresse": {"numero_libelle_voie": "3 rue des Lilas", "code_postal_ville": "21000 DIJON"},
            },
            provenance={"qf.valeur": PROVENANCE, "adresse": PROVENANCE},
            request_id="req-1",
        )

    monkeypatch.setattr("connectors.services.qf_fetch", fake)
    return calls


def test_consent_then_locked_prefill_and_provenance(council_a, family, fetched):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    assert (
        "API Particulier" in body
        and 'name="prefill-consent"' in body
        and "checked" not in body.split('name="prefill-consent"')[1][:40]
    )

    # Without ticking the box, nothing is fetched.
    response = client.post(step_url(page, 1), {**IDENTITY, "_prefill": "api"})
    assert response.status_code == 200 and fetched == []

    text_version = body.split('name="prefill-text_version" value="')[1].split('"')[0]
    response = client.post(
        step_url(page, 1),
        {**IDENTITY, "prefill-consent": "on", "prefill-text_version": text_version, "_prefill": "api"},
    )
    assert response.status_code == 302 and len(fetched) == 1
    draft = Draft.objects.get()
    assert draft.answers["qf"] == 620
    assert draft.answers["adresse"] == {
        "street": "3 rue des Lilas",
        "complement": "",
        "postcode": "21000",
        "city": "DIJON",
    }
    assert draft.provenance["qf"]["provider"] == "CNAF"

    body = client.get(step_url(page, 1)).content.decode()
    qf_input = body.split('name="qf"')[1].split(">")[0]
    assert "disabled" in qf_input
    # A forged value for the locked field is ignored; the editable address may be corrected.
    response = client.post(
        step_url(page, 1),
        {"qf": "9999", "adresse__street": "5 rue des Lilas", "adresse__postcode": "21000", "adresse__city": "Dijon"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["qf"] == 620 and draft.answers["adresse"]["street"] == "5 rue des Lilas"

    client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    assert dossier.answers["qf"] == 620
    assert dossier.provenance["qf"] == {**PROVENANCE, "raw": 620, "value": 620}  # as the API sent it, as filled in


def test_failure_shows_the_manual_route_and_keeps_the_draft(council_a, family, monkeypatch):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    monkeypatch.setattr(
        "connectors.services.qf_fetch",
        lambda **kwargs: PrefillResult(
            ok=False, kind="not_found", family_message="La CAF ne trouve pas de dossier à ce nom."
        ),
    )
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    text_version = body.split('name="prefill-text_version" value="')[1].split('"')[0]
    client.post(
        step_url(page, 1),
        {**IDENTITY, "prefill-consent": "on", "prefill-text_version": text_version, "_prefill": "api"},
    )
    body = client.get(step_url(page, 1)).content.decode()
    assert "La CAF ne trouve pas de dossier à ce nom." in body
    assert 'name="attestation"' in body and 'name="qf"' in body
    assert "disabled" not in body.split('name="qf"')[1].split(">")[0]
    assert Draft.objects.get().prefill["api"]["status"] == "failed"


def test_no_authorisation_means_no_offer(council_a, family):
    page = prefill_form(council_a)
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    assert 'name="prefill-consent"' not in body and 'name="attestation"' in body


def test_refusal_keeps_the_manual_route(council_a, family, fetched):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"_prefill_refuse": "api"})
    assert fetched == [] and Draft.objects.get().prefill["api"]["status"] == "refused"


@pytest.mark.parametrize(("kind", "retry"), [("unavailable", True), ("identity_mismatch", True), ("no_file", False)])
def test_family_may_try_again_after_a_passing_failure(council_a, family, monkeypatch, kind, retry):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    monkeypatch.setattr(
        "connectors.services.qf_fetch",
        lambda **kwargs: PrefillResult(ok=False, kind=kind, family_message="Réessayez plus tard."),
    )
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    text_version = body.split('name="prefill-text_version" value="')[1].split('"')[0]
    client.post(
        step_url(page, 1),
        {**IDENTITY, "prefill-consent": "on", "prefill-text_version": text_version, "_prefill": "api"},
    )
    body = client.get(step_url(page, 1)).content.decode()
    assert ('name="_prefill_retry"' in body) is retry
    client.post(step_url(page, 1), {"_prefill_retry": "api"})
    body = client.get(step_url(page, 1)).content.decode()
    # Tried again: the notice and its box are back (with what was typed); otherwise the failure stays explained.
    assert ('name="prefill-consent"' in body) is retry
    assert (Draft.objects.get().prefill["api"]["status"] == "retry") is retry
