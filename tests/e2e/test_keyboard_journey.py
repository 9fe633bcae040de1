"""Journey 1 with the keyboard only: Tab / Shift+Tab to move, typing, Space and Enter to act."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import reference_pattern
from tests.e2e.test_family_journeys import PASSWORD, PDF, field

MAX_TABS = 80


def tab_to(page, target) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user would), failing if it never does."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        if page.evaluate("el => el === document.activeElement", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press(page, target, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def test_dossier_famille_with_the_keyboard_only(portal, journey):
    page = journey.page
    email = "clavier@example.fr"
    page.goto(f"{portal.valmont}/compte/signup/")
    type_into(page, page.get_by_label("Adresse électronique"), email)
    type_into(page, page.get_by_label("Mot de passe (obligatoire)"), PASSWORD)
    type_into(page, page.get_by_label("Mot de passe (confirmation)"), PASSWORD)
    press(page, page.get_by_role("button", name="Créer mon compte"))
    expect(page).not_to_have_url(re.compile("/signup/"))
    link = re.search(r"https?://\S+/compte/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)  # the link in the email
    press(page, page.get_by_role("button", name=re.compile("Confirmer", re.I)))
    expect(page).not_to_have_url(re.compile("confirm-email"))
    page.goto(f"{portal.valmont}/compte/login/")
    type_into(page, page.get_by_label("Adresse électronique"), email)
    type_into(page, page.get_by_label("Mot de passe", exact=False).first, PASSWORD)
    press(page, page.get_by_role("button", name=re.compile("Connexion|Se connecter", re.I)))
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    journey.step("logged in with the keyboard")

    page.goto(f"{portal.valmont}/demarches/dossier-famille/")
    press(page, page.get_by_role("button", name="Commencer"))
    type_into(page, field(page, "Nom"), "Lambert")
    type_into(page, field(page, "Prénom"), "Camille")
    type_into(page, field(page, "Téléphone"), "0612345678")
    # A radio group is one Tab stop: Space ticks its first choice ("Oui"), which shows the second guardian.
    press(page, page.get_by_label("Oui"), "Space")
    type_into(page, field(page, "Nom du second responsable"), "Lambert")
    type_into(page, field(page, "Prénom du second responsable"), "Alex")
    type_into(page, field(page, "Téléphone du second responsable"), "0698765432")
    # An invalid step: the error summary takes the focus and links to the field.
    type_into(page, field(page, "Adresse électronique"), "pas-une-adresse")
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    expect(page.locator("[data-error-summary]")).to_be_visible()
    journey.audit("error summary")
    press(page, page.locator("[data-error-summary] a").first)
    type_into(page, field(page, "Adresse électronique"), "camille@example.fr")
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()

    type_into(page, page.get_by_label(re.compile("Numéro et voie|Adresse", re.I)).first, "4 rue des Tilleuls")
    type_into(page, field(page, "Code postal"), "21990")
    type_into(page, page.get_by_label(re.compile("^(Commune|Ville)", re.I)).first, "Valmont")
    upload = field(page, "Justificatif de domicile de moins de 3 mois")
    tab_to(page, upload)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files({"name": "justificatif.pdf", "mimeType": "application/pdf", "buffer": PDF})
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()

    press(page, page.get_by_role("button", name="Je préfère joindre un justificatif"))
    expect(page.get_by_text("Étape 3 sur 5")).to_be_visible()
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    expect(page.get_by_text("Étape 4 sur 5")).to_be_visible()
    type_into(page, field(page, "Prénom").first, "Léa")
    type_into(page, field(page, "Nom").first, "Lambert")
    # A date input is typed as digits, segment by segment (both 9 October and 10 September are fine).
    type_into(page, field(page, "Date de naissance").first, "09102018")
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    expect(page.get_by_text("Étape 5 sur 5")).to_be_visible()
    type_into(page, field(page, "Nom du responsable légal qui accepte"), "Camille Lambert")
    press(page, page.get_by_label(re.compile("J'ai lu le règlement")), "Space")
    press(page, page.get_by_role("button", name="Enregistrer et continuer"))
    press(page, page.get_by_role("button", name=re.compile("Envoyer")))
    expect(page.get_by_text(reference_pattern())).to_be_visible()
    journey.step("sent with the keyboard")
