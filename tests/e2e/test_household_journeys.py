"""Issue 17, the household: a new family files its dossier famille, then enrols two children and gives the
authorisations without typing a child's details twice; its family space is the household's dashboard (with
its consents, withdrawn right there); the other parent, invited by email, sees the household; next year's
renewal asks only what changed; a parent with alternating custody files their own household with the same
child. At 1280 x 800 and 390 x 844, axe-core clean."""

import datetime
import re

from django.core import mail
from playwright.sync_api import expect

from forms.family.household_selectors import household_for
from forms.family.household_services import household_validate_dossier
from forms.models import Dossier, DossierStatus
from tests.e2e.conftest import BOTH_WIDTHS
from tests.e2e.test_family_journeys import (
    PDF,
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
    reference = submit_dossier_famille_with_api(journey, portal, "camille.lambert@example.fr")
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
    journey.page = page

    # The consent given to API Particulier, with a way to withdraw it right on the dashboard.
    expect(household.get_by_role("button", name=re.compile("Retirer ce consentement"))).to_be_visible()

    renew_next_year(journey, portal, reference)
    alternating_custody(journey, portal, browser, viewport, first)


def renew_next_year(journey, portal, reference: str) -> None:
    """A year later (the dossier famille validated last year): the renewal shows what is on file, the family
    says only its address changed, and only the address (and the rules in force) are asked."""
    page = journey.page
    famille = Dossier.objects.get(reference=reference)
    household_validate_dossier(dossier=famille, actor=None)  # its data and documents on file, verified
    last_year = famille.form_page.specific.opens_at - datetime.timedelta(days=365)
    Dossier.objects.filter(pk=famille.pk).update(status=DossierStatus.VALIDATED, submitted_at=last_year)
    page.goto(f"{portal.valmont}/espace-famille/")
    page.get_by_role("link", name=re.compile("Renouveler mon dossier")).click()
    expect(page.get_by_role("group", name="Responsables légaux")).to_contain_text("Camille Lambert")
    expect(page.get_by_role("group", name="Quotient familial")).to_contain_text("620")
    expect(page.get_by_role("main")).to_contain_text("Justificatif de domicile")  # still valid: kept
    page.get_by_role("group", name="Adresse").get_by_label("Cela a changé : je le mets à jour").check()
    journey.audit("renewal: what is on file, the address changed")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("12 rue de la Gare")
    field(page, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "nouveau-justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    journey.audit("renewal: only the address is asked")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()  # the rules in force, nothing in between
    field(page, "Nom du responsable légal qui accepte").fill("Camille Lambert")
    page.get_by_label(re.compile("J'ai lu le règlement")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Vérifi", re.I))
    expect(page.get_by_role("main")).to_contain_text("12 rue de la Gare")
    expect(page.get_by_role("cell", name="620")).to_be_visible()  # the QF on file, confirmed
    journey.audit("renewal: check answers")
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.get_by_text(re.compile(r"DF-\d{4}-\d{6}"))).to_be_visible()


def alternating_custody(journey, portal, browser, viewport, child_name: str) -> None:
    """The other parent, with alternating custody, files their own dossier famille with the same child: their
    own household, with their own QF, and nothing of the first household."""
    first = Dossier.objects.filter(family__email="camille.lambert@example.fr").first()
    child = next(
        c
        for c in household_for(user=first.family, council=first.council).children.all()
        if child_name.startswith(c.first_name)
    )
    context = browser.new_context(locale="fr-FR", viewport=viewport, reduced_motion="reduce")
    journey.page = page = context.new_page()
    sign_up(journey, portal.valmont, "alex.martin@example.fr")
    page.goto(f"{portal.valmont}/demarches/dossier-famille/")
    page.get_by_role("button", name="Commencer").or_(page.get_by_role("link", name="Commencer")).first.click()
    field(page, "Nom").fill("Martin")
    field(page, "Prénom").fill("Alex")
    field(page, "Téléphone").fill("06 98 76 54 32")
    page.get_by_label("Non").check()
    journey.audit("alternating custody: the other parent's own dossier famille")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("8 place du Marché")
    field(page, "Code postal").fill("21990")
    page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first.fill("Valmont")
    field(page, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()
    field(page, "Quotient familial").fill("1450")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    field(page, "Prénom").first.fill(child.first_name)
    field(page, "Nom").first.fill(child.last_name)
    field(page, "Date de naissance").first.fill(child.birth_date.isoformat())
    journey.audit("alternating custody: the same child")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    field(page, "Nom du responsable légal qui accepte").fill("Alex Martin")
    page.get_by_label(re.compile("J'ai lu le règlement")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.get_by_text(re.compile(r"DF-\d{4}-\d{6}"))).to_be_visible()
    page.goto(f"{portal.valmont}/espace-famille/")
    household = page.get_by_role("region", name="Mon foyer")
    expect(household).to_contain_text("Alex Martin")
    expect(household.get_by_role("heading", name=re.compile(re.escape(child.first_name)))).to_be_visible()
    expect(household).to_contain_text("Quotient familial 1450")  # their own QF (declared, to be checked)
    expect(household).not_to_contain_text("Camille Lambert")
    journey.audit("alternating custody: their own household with the same child")
    context.close()
