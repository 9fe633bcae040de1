"""Staff in a real browser: editors publish rules and forms, behind OTP, within their own council."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from home.models import RulesAcceptance, RulesPage
from home.services import rules_accept
from tests.conftest import make_family
from tests.e2e.test_family_journeys import PASSWORD, field
from tests.e2e.test_foundation_journeys import staff_login


def family_log_in(journey, base_url: str, email: str) -> None:
    page = journey.page
    page.goto(f"{base_url}/compte/login/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Connexion|Se connecter", re.I)).click()


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

    # The family logs in: it is asked to accept the new version first.
    family_page = browser.new_context(locale="fr-FR").new_page()
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
