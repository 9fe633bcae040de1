"""Journeys over the foundation: the two councils' public pages, and a staff login with TOTP."""

import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect


def current_totp(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def staff_login(journey, base_url: str, username: str, password: str) -> None:
    page = journey.page
    page.goto(f"{base_url}/admin/")
    page.get_by_label(re.compile("Nom d.utilisateur|Username", re.I)).fill(username)
    page.get_by_label(re.compile("Mot de passe|Password", re.I)).first.fill(password)
    journey.step("staff login")
    page.get_by_role("button", name="S'identifier").click()
    expect(page.get_by_role("heading", name="Validation en deux étapes")).to_be_visible()
    journey.audit("second factor asked")
    page.get_by_label("Code").fill(current_totp(username))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    journey.step("admin dashboard")


def test_each_council_site_is_accessible(portal, journey):
    page = journey.page
    page.goto(portal.valmont + "/")
    expect(page.get_by_role("heading", level=1, name="Ville de Valmont")).to_be_visible()
    journey.audit("valmont home")
    page.get_by_role("link", name="Mentions légales").click()
    expect(page.get_by_role("heading", level=1, name="Mentions légales")).to_be_visible()
    journey.audit("valmont legal notice")
    page.goto(portal.bellerive + "/")
    expect(page.get_by_role("heading", level=1, name="Commune de Bellerive")).to_be_visible()
    journey.audit("bellerive home")


def test_skip_link_is_the_first_tab_stop(portal, journey):
    page = journey.page
    page.goto(portal.valmont + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    journey.step("skip link used")


def test_editor_logs_in_with_totp(portal, journey):
    staff_login(journey, portal.valmont, "editeur.valmont", "demo-staff-2026")
