"""The agents' counter (Guichet) in a real browser: agent.valmont files the dossier famille through the
API Particulier step (simulator) for a family with an account and for a family without one, which then
creates its account with that email and finds the dossier in its space. At 1280x800 and at 390x844."""

import re

from playwright.sync_api import expect

from forms.models import Dossier
from tests.conftest import make_family
from tests.e2e.conftest import BOTH_WIDTHS
from tests.e2e.test_family_journeys import PASSWORD, PDF, consent_for_lambert, field, sign_up
from tests.e2e.test_foundation_journeys import staff_login


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def file_at_the_counter(journey, portal, *, email: str, has_account: bool) -> str:
    """From the Guichet to the dossier page: guardians, address, QF from the CAF with consent, children,
    rules, check and send. Returns the reference."""
    page = journey.page
    page.goto(f"{portal.valmont}/admin/guichet/")
    page.get_by_label("Formulaire").select_option(label="Dossier famille")
    page.get_by_label(
        "Oui : le dossier rejoint son espace famille" if has_account else "Non : un dossier papier apporté en mairie"
    ).check()
    page.get_by_label("Adresse électronique de la famille").fill(email)
    journey.audit(f"counter start {'account' if has_account else 'paper'}")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Commencer").click()

    expect(page.get_by_text("Étape 1 sur 5")).to_be_visible()
    expect(page.get_by_text("Pour le compte famille" if has_account else "Dossier papier")).to_be_visible()
    field(page, "Nom").fill("Lambert")
    field(page, "Prénom").fill("Camille")
    field(page, "Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Non").check()
    journey.step("counter guardians")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("4 rue des Tilleuls")
    field(page, "Code postal").fill("21990")
    page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first.fill("Valmont")
    field(page, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # The API Particulier step: the family consents in person, the agent types the benefit holder's identity.
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()
    consent_for_lambert(page)
    journey.audit("counter consent and identity")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Récupérer mes informations").click()
    expect(page.get_by_role("status").filter(has_text="CAF")).to_be_visible()
    expect(page.get_by_label(re.compile("Quotient familial"))).to_have_value("620")
    journey.audit("counter qf fetched")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Étape 4 sur 5")).to_be_visible()
    expect(field(page, "Prénom")).to_have_count(2)  # the children of the CAF file
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()
    field(page, "Nom du responsable légal qui accepte").fill("Camille Lambert")
    page.get_by_label(re.compile("J'ai lu le règlement")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("button", name="Envoyer le dossier pour la famille")).to_be_visible()
    expect(page.get_by_text("620")).to_be_visible()
    journey.audit("counter check answers")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Envoyer le dossier pour la famille").click()
    expect(page.get_by_text(re.compile(r"Dossier DF-\d{4}-\d{6} envoyé pour la famille"))).to_be_visible()
    journey.step("counter dossier sent")
    return re.search(r"DF-\d{4}-\d{6}", page.get_by_text(re.compile("envoyé pour la famille")).inner_text()).group(0)


@BOTH_WIDTHS
def test_agent_files_at_the_counter_for_a_family_with_and_without_an_account(portal, browser, journey, viewport):
    width = viewport["width"]
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    member = make_family(f"guichet.{width}@example.fr", PASSWORD)

    reference = file_at_the_counter(journey, portal, email=member.email, has_account=True)
    dossier = Dossier.objects.get(reference=reference)
    assert dossier.family == member and dossier.submitted_by_agent and dossier.qf == 620

    paper_email = f"papier.{width}@example.fr"
    paper = file_at_the_counter(journey, portal, email=paper_email, has_account=False)
    dossier = Dossier.objects.get(reference=paper)
    assert dossier.family is None and dossier.contact_email == paper_email and dossier.qf == 620

    # The family without an account creates one with that email: once confirmed, the dossier is its own.
    family_context = browser.new_context(locale="fr-FR", viewport=viewport, reduced_motion="reduce")
    journey.page = family_context.new_page()
    sign_up(journey, portal.valmont, paper_email)
    journey.page.goto(f"{portal.valmont}/espace-famille/")
    expect(journey.page.get_by_role("link", name=paper)).to_be_visible()
    journey.audit("paper dossier in the family space")
    family_context.close()
