"""The agents' counter (Guichet): filing for a family with an account or on paper, through the API
Particulier step (real HTTP to the simulator), on the counter's own draft, and never health data
without the health role."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from pypdf import PdfReader

from forms.backoffice.workflow import dossier_request_correction, dossier_transition
from forms.family.services import paper_dossiers_claim, private_storage
from forms.models import Dossier, DossierFile, Draft
from tests.conftest import make_family, otp_client
from tests.connectors.conftest import make_habilitation, simulator, simulator_server  # noqa: F401 (fixtures)

from .conftest import PDF, family_client, field, make_agent, make_dossier, make_form, pdf, step, step_url
from .test_submit import make_rules

IDENTITY = {
    "prefill-birth_name": "Lambert",
    "prefill-first_name_1": "Camille",
    "prefill-sex": "F",
    "prefill-birth_date": "1986-04-12",
    "prefill-born_in": "france",
    "prefill-birth_commune_code": "21231",
}


@pytest.fixture(autouse=True)
def _commit_callbacks_run_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


def api_form(council):
    """A dossier famille with the API Particulier step (QF locked unless empty) and the manual route."""
    mappings = [{"source": "qf.valeur", "target": "quotient_familial", "mode": "locked_unless_empty"}]
    return make_form(
        council,
        step("Responsable", field("short_text", "nom", "Nom")),
        step(
            "Ressources",
            field("prefill", "api", "Récupérer votre quotient familial", required=False, mappings=mappings),
            field("integer", "quotient_familial", "Quotient familial", required=False, role="family_qf"),
            field("file", "justificatif", "Attestation CAF ou avis d'impôt", required=False),
        ),
        slug="dossier-famille",
        reference_prefix="DF",
    )


def start(agent, page, email, has_account="account"):
    response = agent.post("/admin/guichet/", {"form_page": page.pk, "email": email, "has_account": has_account})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def file_through_the_api_step(agent, page, email, has_account="account"):
    """Start at the counter, answer step 1, fetch the QF with the family's consent, then send."""
    first = start(agent, page, email, has_account)
    second = agent.post(first, {"nom": "Lambert"})["Location"]
    body = agent.get(second).content.decode()
    assert 'name="prefill-consent"' in body
    offer = body.split('name="prefill-text_version" value="')[1].split('"')[0]
    fetched = agent.post(
        second, {**IDENTITY, "prefill-consent": "on", "prefill-text_version": offer, "_prefill": "api"}
    )
    assert fetched.status_code == 302, fetched.content.decode()[:3000]
    body = agent.get(second).content.decode()
    assert "620" in body
    review = agent.post(second, {"quotient_familial": "620"})["Location"]
    assert review.endswith("/envoyer/")
    sent = agent.post(review)
    assert sent.status_code == 302
    return Dossier.objects.latest("pk")


@pytest.mark.usefixtures("simulator")
def test_counter_files_a_dossier_famille_through_the_api_step_for_an_existing_family(council_a, family):
    make_habilitation(council_a)
    page = api_form(council_a)
    staff = make_agent(council_a, "agent.a")
    dossier = file_through_the_api_step(otp_client(staff), page, family.email)
    assert dossier.family == family and dossier.submitted_by_agent and dossier.qf == 620
    assert dossier.provenance["quotient_familial"]["provider"] == "CNAF"


@pytest.mark.usefixtures("simulator")
def test_the_counter_never_reads_nor_overwrites_the_familys_own_draft(council_a, family):
    make_habilitation(council_a)
    page = api_form(council_a)
    online = family_client(family)
    online.post(page.url)
    online.post(step_url(page, 1), {"nom": "Texte de la famille"})
    own = Draft.objects.get(user=family, agent__isnull=True)
    agent = otp_client(make_agent(council_a, "agent.a"))
    response = agent.post(
        "/admin/guichet/", {"form_page": page.pk, "email": family.email, "has_account": "account"}, follow=True
    )
    body = response.content.decode()
    assert "Texte de la famille" not in body and "brouillon" in body  # the agent is told, and reads nothing
    counter = Draft.objects.get(agent__isnull=False)
    assert counter.pk != own.pk and counter.answers == {}
    agent.post(response.redirect_chain[-1][0], {"nom": "Texte du guichet"})
    own.refresh_from_db()
    assert own.answers == {"nom": "Texte de la famille"}
    assert "Texte du guichet" not in online.get(step_url(page, 1)).content.decode()
    # A typed uuid of the family's draft is not a counter draft.
    assert agent.get(f"/admin/guichet/{own.uuid}/etape/1/").status_code == 404


@pytest.mark.usefixtures("simulator")
def test_paper_dossier_through_the_api_step_then_claimed_by_the_verified_account(council_a):
    make_habilitation(council_a)
    page = api_form(council_a)
    staff = make_agent(council_a, "agent.a")
    dossier = file_through_the_api_step(otp_client(staff), page, "Nouvelle.Famille@example.fr", "paper")
    assert dossier.family is None and dossier.contact_email == "Nouvelle.Famille@example.fr"
    assert dossier.submitted_by_agent and dossier.qf == 620 and dossier.events.get().actor == staff

    # The family signs up with that email: nothing is claimed until the address is confirmed.
    visitor = Client(HTTP_HOST="localhost")
    signup = {
        "email": "nouvelle.famille@example.fr",
        "password1": "un-mot-de-passe-26",
        "password2": "un-mot-de-passe-26",
    }
    assert visitor.post("/compte/signup/", signup).status_code == 302
    visitor.post("/compte/login/", {"login": "nouvelle.famille@example.fr", "password": "un-mot-de-passe-26"})
    dossier.refresh_from_db()
    assert dossier.family is None
    link = re.search(r"/compte/confirm-email/[^/\s]+/", mail.outbox[-1].body).group(0)
    visitor.post(link)
    dossier.refresh_from_db()
    assert dossier.family is not None and dossier.family.email == "nouvelle.famille@example.fr"
    assert dossier.events.last().kind == "claimed"
    space = family_client(dossier.family).get("/espace-famille/").content.decode()
    assert dossier.reference in space


def test_an_unverified_address_claims_nothing_and_another_council_keeps_its_paper(council_a, council_b):
    page_a = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    paper = make_dossier(page_a, None, {"nom": "Martin"}, contact_email="papier@example.fr", submitted_by_agent=True)
    intruder = make_family("intrus@example.fr")
    EmailAddress.objects.create(user=intruder, email="papier@example.fr", verified=False)
    assert paper_dossiers_claim(user=intruder, council=council_a) == []
    Client(HTTP_HOST="localhost").post(
        "/compte/login/", {"login": "intrus@example.fr", "password": "famille-password-123"}
    )
    paper.refresh_from_db()
    assert paper.family is None
    owner = make_family("papier@example.fr")
    assert paper_dossiers_claim(user=owner, council=council_b) == []
    assert paper_dossiers_claim(user=owner, council=council_a) == [paper]


def test_an_account_that_did_not_confirm_the_email_gets_no_counter_dossier(council_a):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")), slug="autorisations")
    squatter = make_family("autre@example.fr")
    squatter.email = "victime@example.fr"
    squatter.save()
    EmailAddress.objects.create(user=squatter, email="victime@example.fr", verified=False)
    agent = otp_client(make_agent(council_a, "agent.a"))
    refused = agent.post(
        "/admin/guichet/", {"form_page": page.pk, "email": "victime@example.fr", "has_account": "account"}
    )
    assert refused.status_code == 200 and "Aucun compte famille" in refused.content.decode()
    review = agent.post(start(agent, page, "victime@example.fr", "paper"), {"nom": "Martin"})["Location"]
    agent.post(review)
    dossier = Dossier.objects.get()
    assert dossier.family is None and dossier.contact_email == "victime@example.fr"
    assert paper_dossiers_claim(user=squatter, council=council_a) == []


@pytest.mark.parametrize("has_account", [True, False])
def test_rules_accepted_at_the_counter_by_the_account_or_on_paper(council_a, family, has_account):
    rules = make_rules(council_a)
    page = make_form(
        council_a,
        step("Un", field("short_text", "nom", "Nom")),
        step("Règlement", field("rules", "reglement", "Règlement intérieur", rules_page=rules.pk)),
        slug="dossier-regles",
        requires_rules_accepted=True,
    )
    agent = otp_client(make_agent(council_a, "agent.a"))
    email = family.email if has_account else "papier@example.fr"
    second = agent.post(start(agent, page, email, "account" if has_account else "paper"), {"nom": "Martin"})
    review = agent.post(second["Location"], {"reglement__guardian": "Camille Martin", "reglement__accepted": "on"})
    assert review["Location"].endswith("/envoyer/"), review.content.decode()[:2000]
    sent = agent.post(review["Location"])
    dossier = Dossier.objects.get()
    assert sent["Location"] == f"/admin/dossiers/{dossier.pk}/"
    from forms.backoffice.workflow import validation_checks

    assert next(c for c in validation_checks(dossier=dossier) if c.key == "rules").ok
    assert dossier.answers["reglement"].get("on_paper", False) is not has_account


def test_paper_dossier_without_email_and_a_clear_message_for_an_unknown_account(council_a):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")), slug="autorisations")
    agent = otp_client(make_agent(council_a, "agent.a"))
    refused = agent.post(
        "/admin/guichet/", {"form_page": page.pk, "email": "inconnu@example.fr", "has_account": "account"}
    )
    assert refused.status_code == 200 and "Aucun compte famille" in refused.content.decode()
    assert "error-summary" in refused.content.decode() and not Draft.objects.exists()
    first = start(agent, page, "", "paper")
    review = agent.post(first, {"nom": "Martin"})["Location"]
    agent.post(review)
    dossier = Dossier.objects.get()
    assert dossier.family is None and dossier.contact_email == "" and dossier.submitted_by_agent


# Health data: one rule (``selectors.can_see_health_data``) for every staff output --------------


def pai_form(council):
    return make_form(
        council,
        step(
            "PAI",
            field("short_text", "prenom", "Prénom"),
            field("file", "protocole", "Protocole", health=True),
            field("long_text", "allergies", "Allergies", health=True),
        ),
        slug="pai",
        title="PAI",
        reference_prefix="PAI",
        is_health_data=True,
    )


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def staff_outputs(client, dossier, stored) -> dict[str, bool]:
    """Whether the PAI's health answer, file name or correction reach this staff member, per output."""
    base = f"/admin/dossiers/{dossier.pk}/"
    detail = client.get(base).content.decode()
    export = client.get("/admin/dossiers/export.csv?health=1")
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    return {
        "page": "arachides" in detail or "protocole-lea.pdf" in detail,
        "corrections": "cacahuètes" in detail,
        "history": "traces de sesame" in detail,
        "pdf": "arachides" in pdf_text(client.get(f"{base}resume.pdf").content),
        "export": "arachides" in exported,
        "file": client.get(f"/fichiers/{stored.uuid}/").status_code == 200,
    }


def test_health_matrix_agent_without_and_with_the_health_role(council_a, family):
    page = pai_form(council_a)
    dossier = make_dossier(page, family, {"prenom": "Léa", "allergies": "arachides"})
    path = private_storage().save("forms/test/protocole.pdf", ContentFile(PDF))
    stored = DossierFile.objects.create(
        dossier=dossier, key="protocole", original_name="protocole-lea.pdf", content_type="application/pdf",
        size=len(PDF), sha256="0", path=path, health=True,
    )  # fmt: skip
    dossier.answers["protocole"] = str(stored.uuid)
    dossier.save()
    health_user = make_agent(council_a, "sante.a", role="health")
    dossier_transition(dossier=dossier, to="under_review", by=health_user, comment="traces de sesame")
    dossier_request_correction(
        dossier=dossier, by=health_user, items=[("allergies", "incorrect")], message="cacahuètes ?", include_health=True
    )
    plain = staff_outputs(otp_client(make_agent(council_a, "agent.a")), dossier, stored)
    allowed = staff_outputs(otp_client(health_user), dossier, stored)
    assert plain == dict.fromkeys(plain, False)
    assert allowed == dict.fromkeys(allowed, True)
    assert all("arachides" not in message.body for message in mail.outbox)


def test_health_matrix_at_the_counter_on_a_pai_draft(council_a, family):
    page = pai_form(council_a)
    online = family_client(family)
    online.post(page.url)
    online.post(step_url(page, 1), {"prenom": "Léa", "allergies": "arachides", "protocole": pdf("protocole-lea.pdf")})
    own = Draft.objects.get(user=family)
    plain = otp_client(make_agent(council_a, "agent.a"))
    health = otp_client(make_agent(council_a, "sante.a", role="health"))
    # Without the health role, the PAI is not offered, and no draft of it can be opened or changed.
    start_page = plain.get("/admin/guichet/").content.decode()
    assert f'value="{page.pk}"' not in start_page
    chosen = plain.post("/admin/guichet/", {"form_page": page.pk, "email": family.email, "has_account": "account"})
    assert chosen.status_code == 200 and not Draft.objects.filter(agent__isnull=False).exists()
    for url in (f"/admin/guichet/{own.uuid}/etape/1/", f"/admin/guichet/{own.uuid}/envoyer/"):
        assert plain.get(url).status_code == 404
        assert plain.post(url, {"prenom": "X", "allergies": "texte de l'agent"}).status_code == 404
    # With it, the agent files on its own draft: the family's answers are neither shown nor overwritten.
    assert f'value="{page.pk}"' in health.get("/admin/guichet/").content.decode()
    first = start(health, page, family.email)
    assert "arachides" not in health.get(first).content.decode()
    review = health.post(first, {"prenom": "Léa", "allergies": "lait", "protocole": pdf("protocole-guichet.pdf")})
    summary = health.get(review["Location"]).content.decode()
    assert "lait" in summary and "protocole-guichet.pdf" in summary and "arachides" not in summary
    # Another agent, even with the health role, cannot open this agent's counter draft.
    counter = Draft.objects.get(agent__isnull=False)
    other = otp_client(make_agent(council_a, "sante.a2", role="health"))
    assert other.get(f"/admin/guichet/{counter.uuid}/envoyer/").status_code == 404
    own.refresh_from_db()
    assert own.answers["allergies"] == "arachides"
