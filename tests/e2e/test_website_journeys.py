"""The council's website in a real browser: a family on a phone finds the form open now from the home
page; every demo page of both councils passes axe-core at 390 px and 1280 px; an editor builds a page from
blocks, adds news and an event, puts the page in the main menu and finds it through the site search."""

import re

from playwright.sync_api import expect
from wagtail.models import Page, Site

from home.models import CouncilHomePage
from home.pages import EventIndexPage, NewsIndexPage
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_foundation_journeys import staff_login
from tests.e2e.test_staff_journeys import add_block

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_a_family_on_a_phone_finds_the_form_open_now_and_every_demo_page_is_accessible(portal, browser, journey):
    from forms.models import FormPage

    page = journey.page
    page.set_default_timeout(60_000)
    page.set_viewport_size(PHONE)
    page.goto(portal.valmont + "/")
    procedures = page.locator("section.procedures")
    expect(procedures.get_by_role("heading", name="Démarches en ligne")).to_be_in_viewport()
    form = FormPage.objects.get(url_path="/valmont/demarches/dossier-famille/")
    closes = form.closes_at.astimezone().strftime("%Y")
    entry = procedures.locator("li", has=page.get_by_role("link", name="Dossier famille"))
    expect(entry).to_contain_text(re.compile(rf"Ouvert jusqu.au .* {closes}"))
    journey.audit("phone home: the form open now and its closing date")
    no_sideways_scroll(page)

    # The header menu is one button, usable with the keyboard and announced as expanded/collapsed.
    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Actualités")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Actualités")).to_be_visible()
    journey.audit("phone menu open")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    box = menu.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24

    entry.get_by_role("link", name="Dossier famille").click()
    expect(page.get_by_role("heading", level=1, name="Dossier famille")).to_be_visible()
    journey.step("the form's page")

    # At 1280 px a submenu is a dropdown: its button opens it, and it closes when the focus leaves it.
    page.set_viewport_size(DESKTOP)
    page.goto(portal.valmont + "/")
    nav = page.get_by_role("navigation", name="Menu principal")
    toggle = nav.get_by_role("button", name="Sous-menu de Inscriptions")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    last = nav.get_by_role("link", name="Contact")
    expect(last).to_be_visible()
    last.focus()
    journey.audit("desktop submenu open")
    page.keyboard.press("Tab")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(last).to_be_hidden()

    # Every demo page of both councils, at 390 px and 1280 px: no serious or critical axe violation.
    visited = 0
    for council in CouncilHomePage.objects.all():
        site = Site.objects.get(root_page=council)
        base = portal.valmont if site.hostname == "localhost" else portal.bellerive
        urls = [p.get_url(current_site=site) for p in Page.objects.live().descendant_of(council, inclusive=True)]
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            for url in urls:
                page.goto(base + url)
                assert_accessible(page, f"{url} at {size['width']} px")
                no_sideways_scroll(page)
                visited += 1
    assert visited >= 80


def draftail(page, input_id: str, text: str) -> None:
    editor = page.locator(f"#{input_id}").locator("xpath=..").locator("[contenteditable='true']")
    editor.click()
    page.keyboard.type(text)


def publish(page) -> None:
    page.get_by_role("button", name=re.compile("Plus d.actions", re.I)).first.click()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text(re.compile("publiée", re.I)).first).to_be_visible(timeout=60_000)


def test_editor_builds_a_page_from_blocks_adds_news_and_an_event_puts_it_in_the_menu_and_finds_it(
    portal, browser, journey
):
    council = CouncilHomePage.objects.get(slug="valmont")
    page = journey.page
    page.set_default_timeout(60_000)  # publishing runs the search indexing: slow on a loaded CI machine
    staff_login(journey, portal.valmont, "editeur.valmont", "demo-staff-2026")

    # A content page from seven different blocks.
    page.goto(f"{portal.valmont}/admin/pages/add/home/contentpage/{council.pk}/")
    page.locator("#id_title").fill("Séjours d'hiver")
    add_block(page, "body-count", "Titre")
    page.locator("#body-0-value-text").fill("Le séjour à la neige")
    add_block(page, "body-count", "Texte")
    draftail(page, "body-1-value", "Une semaine au chalet pour les 8-12 ans.")
    add_block(page, "body-count", "Encadré")
    page.locator("#body-2-value-title").fill("Places limitées")
    draftail(page, "body-2-value-text", "Inscription avant la fin du mois : raquettes fournies.")
    add_block(page, "body-count", "Citation")
    page.locator("#body-3-value-quote").fill("Les enfants en parlent encore !")
    add_block(page, "body-count", "Carte de contact")
    page.locator("#body-4-value-service").fill("Service jeunesse")
    page.locator("#body-4-value-phone").fill("03 80 00 00 09")
    add_block(page, "body-count", "Bouton d'action")
    page.locator("#body-5-value-url").fill("https://www.example.fr/sejours")
    page.locator("#body-5-value-label").fill("Voir les séjours")
    add_block(page, "body-count", "Vidéo")
    page.locator("#body-6-value-url").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    page.locator("#body-6-value-title").fill("Le chalet en images")
    page.get_by_role("tab", name="Promotion").click()
    page.locator("#id_slug").fill("sejours-hiver")
    page.get_by_role("tab", name="Contenu").click()
    journey.step("content page built")
    publish(page)
    journey.step("content page published")

    # A news item and an event, where the admin offers them.
    news_index = NewsIndexPage.objects.child_of(council).get()
    page.goto(f"{portal.valmont}/admin/pages/add/home/newspage/{news_index.pk}/")
    page.locator("#id_title").fill("Les séjours d'hiver sont en ligne")
    page.locator("#id_summary").fill("Inscrivez vos enfants aux séjours à la neige.")
    publish(page)
    agenda = EventIndexPage.objects.child_of(council).get()
    page.goto(f"{portal.valmont}/admin/pages/add/home/eventpage/{agenda.pk}/")
    page.locator("#id_title").fill("Réunion des séjours d'hiver")
    page.locator("#id_start").fill("2099-01-15 18:00")
    page.locator("#id_place").fill("Salle des fêtes")
    page.locator("#id_summary").fill("Présentation des séjours aux familles.")
    publish(page)
    journey.step("news and event published")

    # The page goes into the main menu (the home page's "Menus" tab).
    page.goto(f"{portal.valmont}/admin/pages/{council.pk}/edit/")
    page.get_by_role("tab", name="Menus").click()
    count = int(page.locator("input[name='main_menu-count']").input_value())
    add_block(page, "main_menu-count")
    page.locator(f"#main_menu-{count}-value-page-chooser").get_by_role("button").first.click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox").first.fill("Séjours d'hiver")
    modal.get_by_text("Séjours d'hiver", exact=True).click()
    journey.step("menu entry added")
    publish(page)

    # On the public site: in the menu, found by the site search, and accessible.
    visitor = browser.new_page(viewport=DESKTOP, locale="fr-FR")
    visitor.set_default_timeout(60_000)
    visitor.goto(portal.valmont + "/")
    nav = visitor.get_by_role("navigation", name="Menu principal")
    expect(nav.get_by_role("link", name="Séjours d'hiver")).to_be_visible()
    visitor.get_by_role("searchbox", name="Rechercher sur le site").fill("raquettes")
    visitor.get_by_role("button", name="Rechercher").first.click()
    visitor.get_by_role("link", name="Séjours d'hiver").last.click()
    expect(visitor.get_by_role("heading", level=1, name="Séjours d'hiver")).to_be_visible()
    for text in ("Le séjour à la neige", "Places limitées", "Les enfants en parlent encore", "Service jeunesse"):
        expect(visitor.get_by_text(text).first).to_be_visible()
    expect(visitor.get_by_role("button", name=re.compile("Lire la vidéo"))).to_be_visible()
    visitor.screenshot(path=str(journey.folder / "99-public-page.png"), full_page=True)
    assert_accessible(visitor, "the editor's page")
    visitor.goto(portal.valmont + "/actualites/")
    expect(visitor.get_by_role("link", name="Les séjours d'hiver sont en ligne")).to_be_visible()
    visitor.goto(portal.valmont + "/agenda/")
    expect(visitor.get_by_role("link", name="Réunion des séjours d'hiver")).to_be_visible()
    visitor.close()
