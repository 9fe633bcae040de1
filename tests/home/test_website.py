"""The council's website: home page with its online procedures, news, agenda, menus, search, findability,
and a new council's starter site."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page, Site

from home.models import CouncilHomePage
from home.pages import ContentPage, EventIndexPage, EventPage, NewsIndexPage, NewsPage
from home.starter import starter_pages
from site.errors import server_error
from tests.forms.conftest import field, step
from tests.forms.conftest import make_form as forms_make_form

from .conftest import publish

pytestmark = pytest.mark.django_db


def add(parent, page):
    parent.add_child(instance=page)
    return publish(page)


def make_form(council, slug, *, opens_in=None, closes_in=None, title=None):
    now = timezone.now()
    return forms_make_form(
        council,
        step("Le foyer", field("short_text", "nom")),
        slug=slug,
        title=title or slug,
        opens_at=now + datetime.timedelta(days=opens_in) if opens_in is not None else None,
        closes_at=now + datetime.timedelta(days=closes_in) if closes_in is not None else None,
    )


def home_with(council, *blocks):
    council.body = json.dumps(blocks)
    return publish(council)


def test_home_lists_the_forms_open_now_with_their_closing_date_and_those_opening_soon(council_a, council_b):
    make_form(council_a, "dossier-famille", opens_in=-10, closes_in=20, title="Dossier famille")
    make_form(council_a, "sejour-ete", opens_in=15, closes_in=40, title="Séjour à la neige")
    make_form(council_a, "ancien", opens_in=-60, closes_in=-1, title="Inscription close")
    make_form(council_b, "autre-commune", title="Formulaire de Bellerive")
    home_with(council_a, {"type": "online_procedures", "value": {"heading": "Démarches en ligne"}})
    html = Client(HTTP_HOST="localhost").get("/").content.decode()
    closes = (timezone.localtime() + datetime.timedelta(days=20)).date()
    section = html.split('id="procedures-title"')[1].split("</section>")[0]
    open_part, soon_part = section.split("Ouvrent bientôt")
    closing_day = "1er" if closes.day == 1 else str(closes.day)
    assert "Dossier famille" in open_part and f"{closing_day} " in open_part and str(closes.year) in open_part
    assert 'href="/demarches/dossier-famille/"' in open_part
    assert "Séjour à la neige" in soon_part
    assert "Inscription close" not in html and "Formulaire de Bellerive" not in html


def test_news_index_paginates_filters_by_tag_and_has_feeds(council_a):
    index = add(council_a, NewsIndexPage(title="Actualités", slug="actualites"))
    for n in range(12):
        page = add(
            index,
            NewsPage(title=f"Nouvelle {n}", slug=f"n{n}", summary=f"Résumé {n}", date=datetime.date(2030, 1, n + 1)),
        )
        if n == 3:
            page.tags.add("Cantine")
            publish(page)
    client = Client(HTTP_HOST="localhost")
    first = client.get("/actualites/").content.decode()
    assert "Nouvelle 11" in first and "Nouvelle 1<" not in first and "?page=2" in first
    assert "Nouvelle 0" in client.get("/actualites/?page=2").content.decode()
    tagged = client.get("/actualites/?tag=cantine").content.decode()
    assert "Nouvelle 3" in tagged and "Nouvelle 4" not in tagged
    rss = client.get("/actualites/rss/")
    assert rss["Content-Type"].startswith("application/rss+xml") and b"Nouvelle 11" in rss.content
    atom = client.get("/actualites/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml") and b"<entry>" in atom.content


def test_agenda_shows_coming_and_past_events_and_gives_ical_files(council_a):
    agenda = add(council_a, EventIndexPage(title="Agenda", slug="agenda"))
    now = timezone.now()
    add(
        agenda,
        EventPage(
            title="Fête du lac", slug="fete", start=now + datetime.timedelta(days=5), place="Plage", summary="Fête"
        ),
    )
    add(
        agenda,
        EventPage(
            title="Vieux forum", slug="forum", start=now - datetime.timedelta(days=5), place="Gymnase", summary="Forum"
        ),
    )
    client = Client(HTTP_HOST="localhost")
    coming = client.get("/agenda/").content.decode()
    assert "Fête du lac" in coming and "Vieux forum" not in coming
    past = client.get("/agenda/?periode=passes").content.decode()
    assert "Vieux forum" in past and "Fête du lac" not in past
    single = client.get("/agenda/fete/ical/")
    assert single["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in single.content and b"SUMMARY:F\xc3\xaate du lac" in single.content
    whole = client.get("/agenda/ical/").content
    assert whole.count(b"BEGIN:VEVENT") == 2


def test_main_menu_with_a_submenu_and_a_menu_button(council_a):
    page = add(council_a, ContentPage(title="Inscriptions", slug="inscriptions"))
    faq = add(council_a, ContentPage(title="Questions fréquentes", slug="faq"))
    council_a.main_menu = json.dumps(
        [
            {
                "type": "item",
                "value": {
                    "page": page.pk,
                    "url": "",
                    "label": "",
                    "children": [{"page": faq.pk, "url": "", "label": ""}],
                },
            }
        ]
    )
    publish(council_a)
    html = Client(HTTP_HOST="localhost").get("/faq/").content.decode()
    nav = html.split('id="site-nav"')[1].split("</nav>")[0]
    assert 'href="/inscriptions/"' in nav and 'href="/faq/" aria-current="page"' in nav
    assert 'class="menu-button" aria-expanded="false" aria-controls="site-nav"' in html
    assert "js/site.js" in html and "<script>" not in html and "onclick" not in html


def test_search_finds_a_page_by_a_word_in_its_blocks_only_on_its_council(council_a, council_b):
    body = json.dumps(
        [{"type": "callout", "value": {"kind": "info", "title": "Restauration", "text": "<p>Menus de la cantine</p>"}}]
    )
    page = add(council_a, ContentPage(title="Manger à l'école", slug="ecole", body=body))
    add(council_b, ContentPage(title="Cantine de Bellerive", slug="cantine", introduction="La cantine"))
    call_command("update_index", stdout=StringIO())
    html = Client(HTTP_HOST="localhost").get("/recherche/", {"q": "cantine"}).content.decode()
    assert 'href="/ecole/"' in html and "Cantine de Bellerive" not in html
    SearchPromotion.objects.create(query=Query.get("inscription"), page=page, sort_order=0, description="À la une")
    promoted = Client(HTTP_HOST="localhost").get("/recherche/", {"q": "inscription"}).content.decode()
    assert "À la une" in promoted and 'href="/ecole/"' in promoted


def test_a_new_menu_entry_needs_only_its_page(council_a):
    """A menu entry added in the admin comes without a submenu: choosing its page is enough to save it (an
    empty submenu link offered by default used to block the home page's saving)."""
    page = add(council_a, ContentPage(title="Séjours", slug="sejours"))
    block = CouncilHomePage._meta.get_field("main_menu").stream_block.child_blocks["item"]
    entry = block.get_default()
    assert list(entry["children"]) == []
    entry["page"] = page
    assert block.clean(entry)["page"].pk == page.pk


def uploaded_document(title: str, content: bytes = b"%PDF-1.4 demo"):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title=title)
    document.file.save(f"{title[:20]}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def documents_page(council, slug, *documents):
    body = json.dumps([{"type": "documents", "value": {"heading": "", "documents": [d.pk for d in documents]}}])
    return add(council, ContentPage(title=f"Documents {slug}", slug=slug, body=body))


def test_search_finds_the_documents_published_on_the_councils_pages_only(council_a, council_b):
    menus = uploaded_document("Menus de la cantine du trimestre")
    uploaded_document("Menus de la cantine en brouillon")  # linked from no page: not published
    elsewhere = uploaded_document("Menus de la cantine de Bellerive")
    documents_page(council_a, "documents", menus)
    documents_page(council_b, "documents", elsewhere)
    call_command("update_index", stdout=StringIO())
    html = Client(HTTP_HOST="localhost").get("/recherche/", {"q": "menus cantine"}).content.decode()
    assert "Menus de la cantine du trimestre" in html and menus.url in html and "PDF" in html
    assert "brouillon" not in html and "Bellerive" not in html


def test_search_ignores_accents_both_ways(council_a):
    add(council_a, ContentPage(title="Accueil périscolaire", slug="periscolaire", introduction="Le goûter est offert."))
    add(council_a, ContentPage(title="Centre de loisirs", slug="loisirs", introduction="Le gouter est apporte."))
    call_command("update_index", stdout=StringIO())
    client = Client(HTTP_HOST="localhost")
    for query in ("periscolaire", "périscolaire"):
        assert 'href="/periscolaire/"' in client.get("/recherche/", {"q": query}).content.decode(), query
    both = client.get("/recherche/", {"q": "goûter"}).content.decode()
    assert 'href="/periscolaire/"' in both and 'href="/loisirs/"' in both


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming: PostgreSQL only (SQLite has none)")
def test_search_stems_french_words_on_postgresql(council_a):
    add(council_a, ContentPage(title="Inscriptions", slug="inscriptions", introduction="Inscrivez les enfants."))
    call_command("update_index", stdout=StringIO())
    html = Client(HTTP_HOST="localhost").get("/recherche/", {"q": "inscription enfant"}).content.decode()
    assert 'href="/inscriptions/"' in html


def test_findability_sitemap_robots_canonical_and_open_graph(council_a):
    add(council_a, ContentPage(title="Inscriptions", slug="inscriptions", search_description="Comment inscrire."))
    client = Client(HTTP_HOST="localhost")
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/inscriptions/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://localhost/sitemap.xml" in robots
    html = client.get("/inscriptions/").content.decode()
    assert '<link rel="canonical" href="http://localhost/inscriptions/">' in html
    assert '<meta property="og:title" content="Inscriptions">' in html
    assert '<meta name="description" content="Comment inscrire.">' in html
    # Behind the TLS proxy the canonical address is https, without the port the app server listens on.
    secure = client.get("/inscriptions/", secure=True, SERVER_PORT="8000").content.decode()
    assert '<link rel="canonical" href="https://localhost/inscriptions/">' in secure
    assert '<meta property="og:url" content="https://localhost/inscriptions/">' in secure


def test_an_old_address_redirects_to_its_page(council_a):
    from wagtail.contrib.redirects.models import Redirect

    page = add(council_a, ContentPage(title="Cantine", slug="cantine"))
    Redirect.add_redirect("/restauration-scolaire", redirect_to=page, site=Site.objects.get(root_page=council_a))
    response = Client(HTTP_HOST="localhost").get("/restauration-scolaire/")
    assert response.status_code == 301 and response["Location"].endswith("/cantine/")


def test_every_website_page_type_renders_its_preview_before_publishing(council_a):
    """Wagtail's preview (the editor's "Aperçu" button) renders each page type from its unpublished draft."""
    news = add(council_a, NewsIndexPage(title="Actualités", slug="actualites"))
    agenda = add(council_a, EventIndexPage(title="Agenda", slug="agenda"))
    start = timezone.now() + datetime.timedelta(days=3)
    drafts = [
        (council_a, ContentPage(title="Brouillon", slug="brouillon", introduction="Pas encore publié.", live=False)),
        (news, NewsPage(title="Brève", slug="breve", summary="Pas encore publiée.", live=False)),
        (agenda, EventPage(title="Fête", slug="fete", start=start, place="Parc", summary="Pas encore.", live=False)),
    ]
    for parent, draft in drafts:
        parent.add_child(instance=draft)
        assert (
            Client(HTTP_HOST="localhost").get(draft.url_path.removeprefix(council_a.url_path.rstrip("/"))).status_code
            == 404
        )
        preview = draft.make_preview_request(preview_mode=draft.default_preview_mode)
        assert preview.status_code == 200 and draft.title in preview.content.decode(), draft.title


def test_themed_404(council_a):
    response = Client(HTTP_HOST="localhost").get("/nulle-part/")
    assert response.status_code == 404
    assert "site-header" in response.content.decode()


def test_themed_500(council_a, rf):
    response = server_error(rf.get("/", HTTP_HOST="localhost"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "site-header" in html and "Une erreur est survenue" in html
    assert f"--color-primary: {council_a.primary_colour}" in html


def test_page_types_are_offered_where_they_fit():
    assert NewsPage.parent_page_types == ["home.NewsIndexPage"]
    assert EventPage.parent_page_types == ["home.EventIndexPage"]
    assert NewsIndexPage.can_create_at(CouncilHomePage()) and not NewsPage.can_create_at(CouncilHomePage())


def test_create_council_site_command_builds_a_site_whose_every_page_renders(db):
    call_command(
        "create_council_site",
        name="Commune de Lavaux",
        hostname="lavaux.localhost",
        siret="21219991300014",
        insee_code="21992",
        address="Mairie\\n2 rue Haute",
        email="mairie@lavaux.example.fr",
        dpo_email="dpo@lavaux.example.fr",
        colour="#205e3b",
        stdout=StringIO(),
    )
    council = CouncilHomePage.objects.get(slug="commune-de-lavaux")
    assert Site.objects.get(hostname="lavaux.localhost").root_page_id == council.pk
    slugs = set(council.get_children().values_list("slug", flat=True))
    assert {
        "actualites",
        "agenda",
        "questions-frequentes",
        "contact",
        "mentions-legales",
        "donnees-personnelles",
        "declaration-accessibilite",
    } <= slugs
    assert len(council.main_menu) == 4 and council.body
    client = Client(HTTP_HOST="lavaux.localhost")
    for page in Page.objects.live().descendant_of(council, inclusive=True).specific():
        response = client.get(page.get_url(current_site=council.get_site()))
        assert response.status_code == 200, page.title
    starter_pages(council)  # again: nothing new
    assert council.get_children().count() == len(slugs)


def test_create_council_site_refuses_a_colour_white_text_cannot_be_read_on(db):
    with pytest.raises(CommandError, match="contrast"):
        call_command(
            "create_council_site",
            name="Commune de Pâle",
            hostname="pale.localhost",
            siret="21219991300014",
            insee_code="21993",
            address="Mairie",
            email="m@pale.example.fr",
            dpo_email="d@pale.example.fr",
            colour="#ffff00",
            stdout=StringIO(),
        )


def test_superusers_create_a_council_site_from_the_admin(db):
    from tests.conftest import make_staff, otp_client

    data = {
        "name": "Commune de Lavaux",
        "hostname": "lavaux.localhost",
        "siret": "21219991300014",
        "insee_code": "21992",
        "address": "Mairie",
        "email": "mairie@lavaux.example.fr",
        "dpo_email": "dpo@lavaux.example.fr",
        "colour": "#ffff00",
    }
    admin = otp_client(make_staff("chef", superuser=True))
    refused = admin.post("/admin/collectivites/nouvelle/", data)
    assert refused.status_code == 200 and "4,5:1" in refused.content.decode().replace("4.5", "4,5")
    assert not CouncilHomePage.objects.filter(slug="commune-de-lavaux").exists()
    response = admin.post("/admin/collectivites/nouvelle/", {**data, "colour": "#205e3b"})
    assert response.status_code == 302
    council = CouncilHomePage.objects.get(slug="commune-de-lavaux")
    assert council.get_children().live().count() >= 7
    editor = otp_client(make_staff("redacteur", groups=[]))
    assert editor.post("/admin/collectivites/nouvelle/", data).status_code in (302, 403)
