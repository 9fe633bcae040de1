"""Staff in a real browser: editors publish rules and forms, behind OTP, within their own council."""

import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from home.models import RulesAcceptance, RulesPage
from home.services import rules_accept
from tests.conftest import make_family
from tests.e2e.conftest import assert_email_links_answer
from tests.e2e.test_family_journeys import PASSWORD, family_log_in, field
from tests.e2e.test_foundation_journeys import staff_login


def test_rules_update_is_accepted_again_and_registered(portal, browser, journey):
    rules = RulesPage.objects.live().filter(url_path__startswith="/valmont/").first()
    family = make_family("famille.regles@example.fr", password=PASSWORD)
    first = rules_accept(
        rules_page=rules,
        user=family,
        guardian_name="Camille Lambert",
        checkbox_label="J'ai lu le règlement et je l'accepte.",
        ip_address="127.0.0.1",
        user_agent="test",
    )

    versions_before = rules.versions.count()

    # The editor publishes a new version of the rules, in force from today.
    page = journey.page
    staff_login(journey, portal.valmont, "editeur.valmont", "demo-staff-2026")
    page.goto(f"{portal.valmont}/admin/pages/{rules.pk}/edit/")
    journey.step("rules editor")
    page.locator("#id_effective_date").fill(timezone.localdate().isoformat())
    editor = page.locator("#panel-child-contenu-body-content [contenteditable=true]")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Article ajouté : les inscriptions se font désormais en ligne.")
    journey.step("rules edited")
    page.get_by_role("button", name=re.compile("Plus d.actions|More actions", re.I)).first.click()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text(re.compile("publiée", re.I)).first).to_be_visible()
    journey.step("rules published")
    new_version = versions_before + 1
    assert rules.versions.count() == new_version
    (notice,) = [m for m in mail.outbox if family.email in m.to]
    accept_link = f"{portal.valmont}{rules.get_url_parts()[2]}accepter/"
    assert accept_link in assert_email_links_answer(page, [notice])

    # The family logs in: it is asked to accept the new version first.
    family_page = browser.new_context(locale="fr-FR", reduced_motion="reduce").new_page()
    journey.page = family_page
    family_log_in(journey, portal.valmont, "famille.regles@example.fr")
    expect(family_page.get_by_text(re.compile(f"Version {new_version}", re.I)).first).to_be_visible()
    journey.audit("asked to accept the new version")
    field(family_page, "Vos prénom et nom").fill("Camille Lambert")
    family_page.get_by_role("checkbox").check()
    family_page.get_by_role("button", name="Accepter le règlement").click()
    journey.audit("receipt")
    second = RulesAcceptance.objects.filter(user=family).exclude(pk=first.pk).get()
    assert second.version_number == new_version
    assert second.text_sha256 != first.text_sha256

    # The evidence register shows both acceptances with their hashes.
    journey.page = page
    page.goto(f"{portal.valmont}/admin/reglements/{rules.pk}/")
    journey.step("evidence register")
    expect(page.get_by_text(second.text_sha256).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exporter tout le registre")).click()
    register = download.value.path().read_text(encoding="utf-8-sig")
    assert first.text_sha256 in register
    assert second.text_sha256 in register
    assert "famille.regles@example.fr" in register


def add_block(page, count_name: str, kind: str | None = None) -> None:
    """Append a block to the StreamField whose child count input is ``count_name``."""
    container = page.locator(f"input[name='{count_name}']").locator("xpath=..")
    button = container.locator(".c-sf-add-button").last
    button.scroll_into_view_if_needed()  # not under the sticky footer of the editor's actions
    button.click()
    if kind:
        option = page.locator(".w-combobox__option-text").filter(has_text=re.compile(f"^{re.escape(kind)}$"))
        try:
            option.wait_for(timeout=5000)
        except PlaywrightTimeout:  # a click that landed before Wagtail's script listened opened nothing
            button.click()
        option.click()


def test_editor_builds_a_form_and_the_other_council_cannot_touch_it(portal, browser, journey):
    from forms.models import FormIndexPage, FormPage

    index = FormIndexPage.objects.get(url_path="/valmont/demarches/")
    page = journey.page
    staff_login(journey, portal.valmont, "editeur.valmont", "demo-staff-2026")
    page.goto(f"{portal.valmont}/admin/pages/add/forms/formpage/{index.pk}/")
    page.locator("#id_title").fill("Séjour d'été")

    # Step 1: a yes/no question and a repeatable group of people.
    add_block(page, "steps-count")
    page.locator("#steps-0-value-title").fill("Le séjour")
    add_block(page, "steps-0-value-fields-count", "Oui / non")
    page.locator("#steps-0-value-fields-0-value-label").fill("Besoin d'un transport ?")
    page.locator("#steps-0-value-fields-0-value-key").fill("transport")
    add_block(page, "steps-0-value-fields-count", "Groupe répétable")
    page.locator("#steps-0-value-fields-1-value-label").fill("Personnes autorisées à venir chercher l'enfant")
    page.locator("#steps-0-value-fields-1-value-item_label").fill("Personne")
    add_block(page, "steps-0-value-fields-1-value-fields-count", "Texte court")
    page.locator("#steps-0-value-fields-1-value-fields-0-value-label").fill("Nom et prénom")

    # Step 2: a field shown only to families who need transport.
    add_block(page, "steps-count")
    page.locator("#steps-1-value-title").fill("Transport")
    add_block(page, "steps-1-value-fields-count", "Texte court")
    page.locator("#steps-1-value-fields-0-value-label").fill("Adresse de prise en charge")
    page.locator("button[aria-controls='block_group-steps-1-value-fields-0-value-condition-content']").click()
    page.locator("#steps-1-value-fields-0-value-condition-field").fill("transport")
    page.locator("#steps-1-value-fields-0-value-condition-operator").select_option("equals")
    page.locator("#steps-1-value-fields-0-value-condition-value").fill("oui")
    page.get_by_role("tab", name="Promotion").click()
    page.locator("#id_slug").fill("sejour-ete")
    page.get_by_role("tab", name="Contenu").click()
    journey.step("form built")
    page.get_by_role("button", name=re.compile("Plus d.actions", re.I)).first.click()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text(re.compile("publiée", re.I)).first).to_be_visible()
    journey.step("form published")
    form = FormPage.objects.get(slug="sejour-ete")
    assert form.live

    # A family fills it on the council's site: the condition and the group work.
    family = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    visitor = family.new_page()
    journey.page = visitor
    make_family("famille.sejour@example.fr", password=PASSWORD)
    family_log_in(journey, portal.valmont, "famille.sejour@example.fr")
    visitor.goto(f"{portal.valmont}/demarches/sejour-ete/")
    journey.audit("new form live")
    visitor.get_by_role("button", name="Commencer").click()
    visitor.get_by_label("Oui").check()
    field(visitor, "Nom et prénom").fill("Mamie Lambert")
    visitor.get_by_role("button", name="Ajouter : personne").click()
    field(visitor, "Nom et prénom").nth(1).fill("Papi Lambert")
    journey.audit("group with two people")
    visitor.get_by_role("button", name="Enregistrer et continuer").click()
    expect(field(visitor, "Adresse de prise en charge")).to_be_visible()
    journey.audit("conditional field shown")
    family.close()

    # The other council's editor can neither see nor edit it.
    other = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    journey.page = other.new_page()
    staff_login(journey, portal.bellerive, "editeur.bellerive", "demo-staff-2026")
    response = journey.page.goto(f"{portal.bellerive}/admin/pages/{form.pk}/edit/")
    assert "/edit/" not in journey.page.url or response.status in (403, 404)
    expect(journey.page.get_by_text("Séjour d'été")).to_have_count(0)
    journey.step("other council refused")
    journey.page.goto(f"{portal.bellerive}/admin/pages/{index.pk}/")
    expect(journey.page.get_by_text("Séjour d'été")).to_have_count(0)
    other.close()


def test_agent_asks_for_a_correction_then_validates(portal, browser, journey):
    from tests.e2e.test_family_journeys import PDF, submit_dossier_famille_with_api

    email = "camille.agent@example.fr"
    reference = submit_dossier_famille_with_api(journey, portal, email)
    family = journey.page

    # The agent finds the dossier, starts the review and asks for a new proof of address.
    agent_context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    journey.page = agent = agent_context.new_page()
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    agent.goto(f"{portal.valmont}/admin/dossiers/?q={reference}")
    journey.step("dossier found")
    agent.get_by_role("link", name=reference).click()
    agent.get_by_role("button", name="Commencer l'instruction").click()
    correction = agent.locator("form").filter(has=agent.get_by_role("button", name="Envoyer la demande de correction"))
    correction.get_by_label(re.compile("Justificatif de domicile")).select_option(label="Périmé")
    correction.get_by_label("Message à la famille").fill("Merci de joindre une facture de moins de 3 mois.")
    journey.step("correction asked")
    correction.get_by_role("button", name="Envoyer la demande de correction").click()
    expect(agent.get_by_text("La demande de correction a été envoyée à la famille.")).to_be_visible()
    assert any("correction" in m.subject.lower() for m in mail.outbox if email in m.to)

    # The family sees exactly what to fix, replaces the document and sends it back.
    journey.page = family
    family.goto(f"{portal.valmont}/espace-famille/")
    family.get_by_role("link", name=re.compile("le corriger")).click()
    expect(family.get_by_text("Merci de joindre une facture de moins de 3 mois.").first).to_be_visible()
    journey.audit("correction asked to the family")
    field(family, "Justificatif de domicile de moins de 3 mois").set_input_files(
        {"name": "facture-novembre.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    family.get_by_role("button", name="Envoyer mes corrections").click()
    expect(family.get_by_text("Merci : vos corrections ont été envoyées au service.")).to_be_visible()
    journey.audit("corrections sent")

    # The agent sees the change and validates: prices are computed from the decree in force.
    journey.page = agent
    agent.reload()
    expect(agent.get_by_text("facture-novembre.pdf").first).to_be_visible()
    agent.get_by_role("button", name="Commencer l'instruction").click()
    expect(agent.get_by_role("button", name="Valider le dossier")).to_be_visible()
    journey.step("dossier corrected")
    agent.get_by_role("button", name="Valider le dossier").click()
    expect(agent.get_by_role("button", name="Valider le dossier")).to_have_count(0)
    expect(agent.get_by_text("Validé").first).to_be_visible()
    journey.step("dossier validated")

    # The family sees "validated" and its prices.
    journey.page = family
    family.goto(f"{portal.valmont}/espace-famille/")
    expect(family.get_by_role("row", name=re.compile(reference))).to_contain_text("Validé")
    family.get_by_role("link", name=reference).click()
    prices = family.get_by_role("region", name="Tarifs")
    expect(prices.get_by_role("heading", name=re.compile(r"Restauration scolaire : 2,60 €"))).to_be_visible()
    journey.audit("validated with prices")
    # Every link of every email the family got (account, receipt, correction, validation) opens a page.
    sent = [m for m in mail.outbox if email in m.to]
    assert len(sent) >= 4
    assert all(link.startswith(portal.valmont) for link in assert_email_links_answer(family, sent))
    agent_context.close()
