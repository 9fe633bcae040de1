"""Families in a real browser: sign up, fill the dossier famille with the API Particulier, submit."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import BOTH_WIDTHS, reference_pattern

PASSWORD = "Une-phrase-de-passe-2026"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def fill_enrolment_health(page, *, pai: bool) -> None:
    """The enrolment's health step: the doctor, the vaccination pages, whether the child has a PAI."""
    field(page, "Médecin traitant").fill("Dr Martin")
    field(page, "Téléphone du médecin").fill("03 80 00 00 02")
    field(page, "Pages vaccinations du carnet de santé").set_input_files(
        {"name": "vaccins.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Oui" if pai else "Non").check()


def fill_enrolment_insurance(page) -> None:
    """The enrolment's insurance step: the insurer, the contract and its certificate."""
    field(page, "Compagnie d'assurance (responsabilité civile extrascolaire)").fill("Assur")
    field(page, "Numéro de contrat").fill("A-123")
    field(page, "Attestation d'assurance").set_input_files(
        {"name": "assurance.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )


def field(page, label: str):
    """The field whose label is exactly ``label`` (the "(obligatoire)" mark apart), as a screen reader names it."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\((obligatoire|facultatif)\))?\s*$"))


def sign_up(journey, base_url: str, email: str) -> None:
    """Create a family account, confirm the email from the outbox, and log in."""
    page = journey.page
    page.goto(f"{base_url}/compte/signup/")
    journey.audit("sign-up form")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe (obligatoire)").fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).not_to_have_url(re.compile("/signup/"))
    journey.audit("check your inbox")
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    link = re.search(r"https?://\S+/compte/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    journey.audit("confirm email")
    page.get_by_role("button", name=re.compile("Confirmer", re.I)).click()
    page.goto(f"{base_url}/compte/login/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    journey.audit("login")
    page.get_by_role("button", name=re.compile("Connexion|Se connecter", re.I)).click()
    # Logged in: the header offers to log out (on a phone, behind the menu button).
    if journey.is_phone:
        page.get_by_role("button", name="Menu", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    if journey.is_phone:
        page.get_by_role("button", name="Menu", exact=True).click()


def family_log_in(journey, base_url: str, email: str) -> None:
    page = journey.page
    page.goto(f"{base_url}/compte/login/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Connexion|Se connecter", re.I)).click()


def fill_identity(page, *, birth_name: str, first_name: str, sex: str, birth_date: str, town: str, dept: str):
    field(page, "Nom de naissance").fill(birth_name)
    field(page, "Prénom").fill(first_name)
    page.get_by_label(sex, exact=True).check()
    field(page, "Date de naissance").fill(birth_date)
    page.get_by_label("En France").check()
    field(page, "Commune de naissance").fill(town)
    field(page, "Département de naissance (numéro)").fill(dept)


def consent_for_lambert(page) -> None:
    """The API Particulier step: the consent box starts unticked; the benefit holder is Camille LAMBERT."""
    consent = page.get_by_role("checkbox", name=re.compile("J'accepte|accord|consens", re.I))
    expect(consent).not_to_be_checked()
    fill_identity(
        page,
        birth_name="LAMBERT",
        first_name="Camille",
        sex="Féminin",
        birth_date="1986-04-12",
        town="Dijon",
        dept="21",
    )
    consent.check()


def start_dossier_famille(journey, base_url: str) -> None:
    page = journey.page
    page.goto(f"{base_url}/demarches/dossier-famille/")
    journey.audit("dossier famille")
    page.get_by_role("button", name="Commencer").or_(page.get_by_role("link", name="Commencer")).first.click()
    expect(page.get_by_text("Étape 1 sur 5")).to_be_visible()
    field(page, "Nom").fill("Lambert")
    field(page, "Prénom").fill("Camille")
    field(page, "Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Non").check()
    journey.audit("guardians")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()


def fill_address(journey) -> None:
    page = journey.page
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("4 rue des Tilleuls")
    field(page, "Code postal").fill("21990")
    page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first.fill("Valmont")
    field(page, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    journey.audit("address")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()


def submit_dossier_famille_with_api(journey, portal, email: str) -> str:
    """Journey 1: sign up, consent, QF and children from the simulator, a child added, rules, submit."""
    page = journey.page
    sign_up(journey, portal.valmont, email)
    start_dossier_famille(journey, portal.valmont)
    fill_address(journey)

    # Resources: the notice comes first, the box is not ticked, the identity is the benefit holder's.
    consent_for_lambert(page)
    journey.audit("consent and identity")
    page.get_by_role("button", name="Récupérer mes informations").click()
    expect(page.get_by_role("status").filter(has_text="CAF")).to_be_visible()
    expect(page.get_by_label(re.compile("Quotient familial"))).to_have_value("620")
    journey.audit("qf fetched")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Children: prefilled from the CAF file; one more is added.
    expect(page.get_by_text("Étape 4 sur 5")).to_be_visible()
    journey.audit("children prefilled")
    prenoms = field(page, "Prénom")
    assert prenoms.count() == 2
    page.get_by_role("button", name="Ajouter un enfant").click()
    prenoms = field(page, "Prénom")
    expect(prenoms).to_have_count(3)
    prenoms.nth(2).fill("Jules")
    field(page, "Nom").nth(2).fill("Lambert")
    field(page, "Date de naissance").nth(2).fill("2024-02-01")
    journey.audit("child added")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Rules: read, then accept.
    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()
    field(page, "Nom du responsable légal qui accepte").fill("Camille Lambert")
    page.get_by_label(re.compile("J'ai lu le règlement")).check()
    journey.audit("rules")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Check your answers, then send.
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Vérifi", re.I))
    expect(page.get_by_role("cell", name="620")).to_be_visible()
    # The prices are shown before sending too.
    expect(page.get_by_role("region", name="Vos tarifs (à confirmer)")).to_contain_text("2,60 €")
    journey.audit("check answers")
    page.get_by_role("button", name=re.compile("Envoyer")).click()

    expect(page.get_by_text(reference_pattern())).to_be_visible()
    # The price and how it was computed: QF 620 from the CAF, canteen at the floor of the decree.
    prices = page.get_by_role("region", name="Vos tarifs (à confirmer)")
    expect(prices).to_contain_text("620")
    expect(prices.get_by_role("heading", name=re.compile(r"Restauration scolaire : 2,60 €"))).to_be_visible()
    expect(prices.get_by_role("listitem").first).to_be_visible()
    journey.audit("confirmation")
    reference = reference_pattern().search(page.content()).group(0)
    assert any(reference in m.body for m in mail.outbox if email in m.to)
    return reference


@BOTH_WIDTHS
def test_family_signs_up_fetches_its_qf_and_submits(portal, journey):
    submit_dossier_famille_with_api(journey, portal, "camille.lambert@example.fr")
    enrol_a_child_and_see_the_prices(journey, portal)


def enrol_a_child_and_see_the_prices(journey, portal) -> None:
    """After the dossier famille: the enrolment links to it and prices the services chosen with its QF."""
    page = journey.page
    page.goto(f"{portal.valmont}/demarches/inscription-enfant/")
    expect(page.get_by_role("link", name="dossier famille")).to_be_visible()
    journey.audit("enrolment start")
    page.get_by_role("button", name="Commencer").click()
    field(page, "Prénom de l'enfant").fill("Lou")
    field(page, "Nom de l'enfant").fill("Mercier")
    field(page, "Date de naissance").fill("2015-06-21")
    page.get_by_label("Restauration scolaire").check()
    page.get_by_label("Accueil périscolaire du matin").check()
    journey.audit("enrolment child and services")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    fill_enrolment_health(page, pai=True)
    # The PAI hint links the PAI form.
    expect(page.get_by_role("link", name=re.compile("Projet d.accueil individualisé"))).to_be_visible()
    field(page, "Allergies ou troubles de santé concernés").fill("Arachide")
    journey.audit("enrolment health with the PAI link")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    fill_enrolment_insurance(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    prices = page.get_by_role("region", name="Vos tarifs (à confirmer)")
    expect(prices.get_by_role("heading", name=re.compile(r"Restauration scolaire : 2,60 €"))).to_be_visible()
    expect(prices).to_contain_text("620")
    expect(prices).to_contain_text("Accueil périscolaire du matin")
    journey.audit("enrolment check answers with prices")


def go_to_resources_step(journey, portal, email: str) -> None:
    sign_up(journey, portal.valmont, email)
    start_dossier_famille(journey, portal.valmont)
    fill_address(journey)


def ask_for_qf(journey, **identity) -> None:
    page = journey.page
    fill_identity(page, **identity)
    page.get_by_role("checkbox", name=re.compile("J'accepte|accord|consens", re.I)).check()
    page.get_by_role("button", name="Récupérer mes informations").click()


def finish_after_resources(journey) -> str:
    """From the children step to the confirmation; returns the reference."""
    page = journey.page
    expect(page.get_by_text("Étape 4 sur 5")).to_be_visible()
    prenoms = field(page, "Prénom")
    if prenoms.count() == 0 or not prenoms.first.input_value():
        prenoms.first.fill("Léa")
        field(page, "Nom").first.fill("Petit")
        field(page, "Date de naissance").first.fill("2018-09-10")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()
    field(page, "Nom du responsable légal qui accepte").fill("Hugo Petit")
    page.get_by_label(re.compile("J'ai lu le règlement")).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    journey.audit("check answers")
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(page.get_by_text(reference_pattern())).to_be_visible()
    journey.audit("confirmation")
    return reference_pattern().search(page.content()).group(0)


@BOTH_WIDTHS
def test_family_without_caf_file_takes_the_manual_route(portal, journey):
    page = journey.page
    go_to_resources_step(journey, portal, "hugo.petit@example.fr")
    ask_for_qf(
        journey, birth_name="PETIT", first_name="Hugo", sex="Masculin", birth_date="1990-05-30", town="Dijon", dept="21"
    )
    # The API has no file for this family: the form says why and offers the upload instead.
    expect(page.get_by_role("alert").filter(has_text="CAF")).to_be_visible()
    journey.audit("no caf file explained")
    expect(field(page, "Quotient familial")).to_be_empty()
    field(page, "Attestation de quotient familial CAF ou avis d'imposition (revenus N-2)").set_input_files(
        {"name": "avis-imposition.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()
    finish_after_resources(journey)
    # Without a QF from the CAF, the maximum tariff is what applies until the proof is checked.
    prices = page.get_by_role("region", name="Vos tarifs (à confirmer)")
    expect(prices).to_contain_text("le tarif maximum s'applique jusqu'à ce que le service ait vérifié")


def test_family_on_a_flaky_api_keeps_its_draft_and_finishes_later(portal, journey, simulator, settings):
    page = journey.page
    settings.API_PARTICULIER_TIMEOUT = 1.0
    simulator.state.update({"fail": "timeout", "timeout_s": 2.0})
    go_to_resources_step(journey, portal, "camille.flaky@example.fr")
    ask_for_qf(
        journey,
        birth_name="LAMBERT",
        first_name="Camille",
        sex="Féminin",
        birth_date="1986-04-12",
        town="Dijon",
        dept="21",
    )
    expect(page.get_by_role("alert")).to_be_visible()
    journey.audit("api unavailable")

    # The family stops here and comes back later from its space, on a new visit: the draft is there.
    page.get_by_role("button", name="Se déconnecter").click()
    simulator.state.update({"fail": None})
    family_log_in(journey, portal.valmont, "camille.flaky@example.fr")
    page.get_by_role("link", name="Mon espace famille").click()
    journey.audit("family space with draft")
    page.get_by_role("link", name=re.compile("^Reprendre")).first.click()
    page.get_by_role("link", name="Reprendre").click()
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()
    journey.step("draft resumed where it stopped")
    page.get_by_role("button", name="Réessayer de récupérer mes informations").click()
    ask_for_qf(
        journey,
        birth_name="LAMBERT",
        first_name="Camille",
        sex="Féminin",
        birth_date="1986-04-12",
        town="Dijon",
        dept="21",
    )
    expect(field(page, "Quotient familial")).to_have_value("620")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    reference = finish_after_resources(journey)
    assert reference_pattern().fullmatch(reference)


@BOTH_WIDTHS
def test_family_errors_on_the_resources_step_are_explained_and_lose_nothing(portal, journey):
    """Consent box left unticked, then an identity the CAF does not know, then "try again": every error has
    the summary at the top, and nothing typed is lost. A bad upload is refused with a clear message."""
    page = journey.page
    sign_up(journey, portal.valmont, "elise.robin@example.fr")
    start_dossier_famille(journey, portal.valmont)
    proof = field(page, "Justificatif de domicile de moins de 3 mois")
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("4 rue des Tilleuls")
    field(page, "Code postal").fill("21990")
    page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first.fill("Valmont")
    proof.set_input_files(
        {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Justificatif de domicile")
    journey.audit("bad upload refused")
    fill_address(journey)

    # Born in France: the country fields stay hidden; abroad: the town fields go.
    expect(field(page, "Pays de naissance")).to_be_hidden()
    page.get_by_label("À l'étranger").check()
    expect(field(page, "Pays de naissance")).to_be_visible()
    expect(field(page, "Commune de naissance")).to_be_hidden()
    fill_identity(
        page, birth_name="ROBIN", first_name="Elise", sex="Féminin", birth_date="1988-03-03", town="Dijon", dept="21"
    )
    expect(field(page, "Pays de naissance")).to_be_hidden()
    page.get_by_role("button", name="Récupérer mes informations").click()
    expect(page).to_have_title(re.compile("^Erreur"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    journey.audit("consent unticked")
    summary.get_by_role("link", name=re.compile("Cochez la case")).click()
    consent = page.get_by_role("checkbox", name=re.compile("J'accepte|accord|consens", re.I))
    expect(consent).to_be_focused()
    box = consent.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    consent.check()
    page.get_by_role("button", name="Récupérer mes informations").click()
    expect(page.get_by_role("alert")).to_be_visible()
    journey.audit("identity not matched")
    page.get_by_role("button", name="Réessayer de récupérer mes informations").click()
    expect(field(page, "Nom de naissance")).to_have_value("ROBIN")
    expect(field(page, "Date de naissance")).to_have_value("1988-03-03")
    expect(field(page, "Commune de naissance")).to_have_value("Dijon")
    expect(page.get_by_label("Féminin", exact=True)).to_be_checked()
    expect(consent).to_be_checked()
    journey.audit("try again keeps the identity")
