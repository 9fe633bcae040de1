"""Issue 12: an MSA family living outside the commune files its dossier famille; the agent validates.

FONTAINE (the simulator's MSA family, QF 410) lives in Beaune, which Valmont does not serve: the ALSH day
is priced in the decree's "MSA et non-allocataires" column (401-700: 3,00 €) plus the 15 % non-resident
surcharge, 3,45 €, and both the agent and the family see it with its explanation.
"""

import re

from playwright.sync_api import expect

from tests.e2e.test_family_journeys import (
    PDF,
    ask_for_qf,
    field,
    finish_after_resources,
    sign_up,
    start_dossier_famille,
)
from tests.e2e.test_foundation_journeys import staff_login


def test_msa_family_outside_the_commune_is_priced_in_the_msa_column_with_the_surcharge(portal, browser, journey):
    page = journey.page
    sign_up(journey, portal.valmont, "julien.fontaine@example.fr")
    start_dossier_famille(journey, portal.valmont)
    page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first.fill("La ferme du moulin")
    field(page, "Code postal").fill("21200")
    page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first.fill("Beaune")
    field(page, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()
    ask_for_qf(
        journey,
        birth_name="FONTAINE",
        first_name="Julien",
        sex="Masculin",
        birth_date="1982-09-03",
        town="Beaune",
        dept="21",
    )
    expect(page.get_by_role("status").filter(has_text="MSA")).to_be_visible()
    expect(field(page, "Quotient familial")).to_have_value("410")
    journey.audit("msa qf fetched")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    reference = finish_after_resources(journey)
    prices = page.get_by_role("region", name="Vos tarifs (à confirmer)")
    expect(prices.get_by_role("heading", name=re.compile(r"Accueil de loisirs, journée : 3,45 €"))).to_be_visible()
    expect(prices).to_contain_text(
        "Colonne appliquée : « MSA et non-allocataires », celle des familles allocataires MSA."
    )
    expect(prices).to_contain_text("Beaune (21054)")
    journey.audit("family sees 3,45 €")
    family = page

    # The agent sees the column and the residence that were derived, with why, and validates.
    agent_context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    journey.page = agent = agent_context.new_page()
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    agent.goto(f"{portal.valmont}/admin/dossiers/?q={reference}")
    expect(agent.get_by_role("row", name=re.compile(reference))).to_contain_text("QF 410 vérifié (MSA)")
    agent.get_by_role("link", name=reference).click()
    agent.get_by_role("button", name="Commencer l'instruction").click()
    validate = agent.locator("form").filter(has=agent.get_by_role("button", name="Valider le dossier"))
    expect(validate).to_contain_text("QF obtenu auprès de la MSA.")
    expect(validate).to_contain_text("hors des communes desservies par la collectivité")
    expect(validate).to_contain_text("Accueil de loisirs, journée : 3,45 €")
    journey.step("agent sees column and residence")
    validate.get_by_role("button", name="Valider le dossier").click()
    expect(agent.get_by_text("Validé").first).to_be_visible()
    expect(agent.get_by_role("heading", name=re.compile(r"Accueil de loisirs, journée : 3,45 €"))).to_be_visible()
    journey.audit("agent validated at 3,45 €")

    journey.page = family
    family.goto(f"{portal.valmont}/espace-famille/")
    family.get_by_role("link", name=reference).click()
    prices = family.get_by_role("region", name="Tarifs")
    expect(prices.get_by_role("heading", name=re.compile(r"Accueil de loisirs, journée : 3,45 €"))).to_be_visible()
    journey.audit("family sees the validated 3,45 €")
    agent_context.close()
