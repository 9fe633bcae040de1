"""Issue 17, the household: a new family files its dossier famille, then enrols two children and gives the
authorisations without typing a child's details twice; its family space is the household's dashboard; the
other parent, invited by email, sees the household. At 1280 x 800 and 390 x 844, axe-core clean."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import BOTH_WIDTHS
from tests.e2e.test_family_journeys import (
    field,
    fill_enrolment_health,
    fill_enrolment_insurance,
    sign_up,
    submit_dossier_famille_with_api,
)


def enrol(journey, portal, child_index: int) -> str:
    """Enrol the household's child number ``child_index``: chosen on the start page, never typed again."""
    page = journey.page
    page.goto(f"{portal.valmont}/demarches/inscription-enfant/")
    choice = page.get_by_role("group", name="Pour quel enfant remplissez-vous ce formulaire ?")
    expect(choice).to_be_visible()
    radio = choice.get_by_role("radio").nth(child_index)
    name = radio.evaluate("(r) => r.labels[0].textContent").split("(")[0].strip()
    radio.check()
    journey.audit(f"enrolment: choose child {child_index + 1}")
    page.get_by_role("button", name="Commencer").click()
    expect(page.get_by_role("status").filter(has_text="Déjà connu pour")).to_be_visible()
    expect(field(page, "Prénom de l'enfant")).not_to_have_value("")
    assert name.startswith(field(page, "Prénom de l'enfant").input_value())
    expect(field(page, "Date de naissance")).not_to_have_value("")
    page.get_by_label("Restauration scolaire").check()
    journey.audit("enrolment: known values and services")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    fill_enrolment_health(page, pai=False)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    fill_enrolment_insurance(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    prices = page.get_by_role("region", name="Vos tarifs (à confirmer)")
    expect(prices.get_by_role("heading", name=re.compile(r"Restauration scolaire : 2,60 €"))).to_be_visible()
    expect(prices).to_contain_text("620")  # the household's QF, from the CAF
    journey.audit("enrolment: check answers, priced from the household")
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.get_by_text(re.compile(r"IE-\d{4}-\d{6}"))).to_be_visible()
    return name


def authorise(journey, portal) -> None:
    page = journey.page
    page.goto(f"{portal.valmont}/demarches/autorisations/")
    page.get_by_role("group", name="Pour quel enfant remplissez-vous ce formulaire ?").get_by_role(
        "radio"
    ).first.check()
    page.get_by_role("button", name="Commencer").click()
    expect(field(page, "Prénom de l'enfant")).not_to_have_value("")
    journey.audit("authorisations: the child already known")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    alone = page.get_by_role("group", name=re.compile("rentrer seul"))
    if alone.count():  # asked from 8 years old
        alone.get_by_label("Non").check()
    field(page, "Nom et prénom").fill("Martine Lambert")
    field(page, "Lien avec l'enfant").fill("Grand-mère")
    field(page, "Téléphone").fill("06 11 22 33 44")
    page.get_by_role("group", name=re.compile("sorties et les transports")).get_by_label("Oui").check()
    journey.audit("authorisations: outings")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label("Je n'autorise pas").check()
    page.get_by_label(re.compile("faire appeler les secours")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.get_by_text(re.compile(r"AU-\d{4}-\d{6}"))).to_be_visible()


@BOTH_WIDTHS
def test_a_new_family_files_its_household_once_and_enrols_two_children(portal, journey, browser, viewport):
    page = journey.page
    submit_dossier_famille_with_api(journey, portal, "camille.lambert@example.fr")
    first = enrol(journey, portal, 0)
    second = enrol(journey, portal, 1)
    authorise(journey, portal)

    # The family space: the household's dashboard, each child with its enrolment.
    page.goto(f"{portal.valmont}/espace-famille/")
    household = page.get_by_role("region", name="Mon foyer")
    expect(household).to_contain_text("Camille Lambert")
    expect(household).to_contain_text("Quotient familial 620 (CAF)")
    for name in (first, second):
        expect(household.get_by_role("heading", name=re.compile(re.escape(name)))).to_be_visible()
    expect(household.get_by_role("link", name="Inscription enfant")).to_have_count(2)
    journey.audit("family space: the household's dashboard")

    # The other parent is invited by email, signs up with that address and sees the household.
    page.get_by_label("Adresse électronique de l'autre responsable légal").fill("dominique.lambert@example.fr")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_role("status").filter(has_text="dominique.lambert@example.fr")).to_be_visible()
    link = re.search(r"https?://\S+/rejoindre/\S+/", mail.outbox[-1].body).group(0)
    other = browser.new_context(locale="fr-FR", viewport=viewport, reduced_motion="reduce")
    journey.page = other.new_page()
    sign_up(journey, portal.valmont, "dominique.lambert@example.fr")
    journey.page.goto(link)
    journey.audit("second parent: join the household")
    journey.page.get_by_role("button", name="Rejoindre ce foyer").click()
    expect(journey.page.get_by_role("region", name="Mon foyer")).to_contain_text("Camille Lambert")
    journey.audit("second parent: the shared household")
    other.close()
