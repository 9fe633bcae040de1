"""A new council's starter site: its home page and Site, the pages every council needs (news, agenda,
FAQ, contact, legal notices, personal data, accessibility statement) and its menus, from which its staff
go on. Idempotent: what exists is left as it is."""

import json

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from .models import CouncilHomePage, StandardPage
from .pages import ContentPage, EventIndexPage, NewsIndexPage


def child_page(parent: Page, model: type[Page], slug: str, **fields) -> Page:
    """The child ``slug`` of ``parent``, created and published if missing (left as it is otherwise)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def upsert_page(parent: Page, model: type[Page], slug: str, **fields) -> Page:
    """Create the child page ``slug`` of ``parent`` or update it, and publish it (idempotent)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        changed = {name: value for name, value in fields.items() if getattr(page, name) != value}
        if not changed and page.live and not page.has_unpublished_changes:
            return page
        for name, value in changed.items():
            setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def text(value: str) -> dict:
    return {"type": "text", "value": value}


LEGAL_PAGES = {
    "legal_notice_page": (
        "mentions-legales",
        "Mentions légales",
        "<p>Éditeur : {name}. Directeur de la publication : le maire ou le président. Complétez cette page "
        "avec l'hébergeur du site et les crédits.</p>",
    ),
    "personal_data_page": (
        "donnees-personnelles",
        "Données personnelles",
        "<p>Les données de vos démarches servent à instruire vos demandes (mission d'intérêt public). Vous "
        "pouvez y accéder et les faire rectifier en écrivant au délégué à la protection des données.</p>",
    ),
    "accessibility_page": (
        "declaration-accessibilite",
        "Déclaration d'accessibilité",
        "<p>{name} s'engage à rendre son site accessible conformément à l'article 47 de la loi n° 2005-102 du "
        "11 février 2005. Complétez cette déclaration après l'audit du site (RGAA 4.1).</p>",
    ),
}


def starter_pages(council: CouncilHomePage) -> dict[str, Page]:
    """The pages every council's site has, created where missing; their menus when the council has none."""
    pages = {
        "news": child_page(council, NewsIndexPage, "actualites", title="Actualités", show_in_menus=True),
        "agenda": child_page(council, EventIndexPage, "agenda", title="Agenda", show_in_menus=True),
        "faq": child_page(
            council,
            ContentPage,
            "questions-frequentes",
            title="Questions fréquentes",
            introduction="Les réponses aux questions que les familles posent le plus souvent.",
            body=json.dumps(
                [
                    {
                        "type": "accordion",
                        "value": {
                            "heading": "",
                            "items": [
                                {
                                    "title": "Comment inscrire mon enfant ?",
                                    "body": "<p>Remplissez d'abord le dossier famille, puis l'inscription de "
                                    "chaque enfant, depuis la rubrique Démarches.</p>",
                                }
                            ],
                        },
                    }
                ]
            ),
        ),
        "contact": child_page(
            council,
            ContentPage,
            "contact",
            title="Contact",
            body=json.dumps(
                [
                    {
                        "type": "contact",
                        "value": {
                            "service": council.official_name,
                            "address": council.address,
                            "hours": "",
                            "phone": council.phone,
                            "email": council.email,
                        },
                    }
                ]
            ),
        ),
    }
    changed = False
    for field, (slug, title, body) in LEGAL_PAGES.items():
        if not getattr(council, f"{field}_id"):
            page = child_page(council, StandardPage, slug, title=title, body=body.format(name=council.official_name))
            setattr(council, field, page)
            changed = True
    if not council.main_menu:
        council.main_menu = [
            ("item", {"page": pages["news"], "url": "", "label": "", "children": []}),
            ("item", {"page": pages["agenda"], "url": "", "label": "", "children": []}),
            ("item", {"page": pages["faq"], "url": "", "label": "", "children": []}),
            ("item", {"page": pages["contact"], "url": "", "label": "", "children": []}),
        ]
        changed = True
    if not council.body:
        council.body = [
            ("online_procedures", {"heading": "Démarches en ligne"}),
            ("latest_news", {"heading": "Actualités", "count": 3}),
            ("next_events", {"heading": "Agenda", "count": 3}),
        ]
        changed = True
    if changed:
        council.save_revision().publish()
    return pages


@transaction.atomic
def council_site_create(
    *,
    name: str,
    hostname: str,
    siret: str,
    insee_code: str,
    address: str,
    email: str,
    dpo_email: str,
    port: int = 80,
    slug: str = "",
    colour: str = "#1d4f91",
) -> CouncilHomePage:
    """Create a council's home page, its Site on ``hostname`` and its starter pages (see ``starter_pages``)."""
    slug = slug or slugify(name)
    root = Page.get_first_root_node()
    council = CouncilHomePage.objects.child_of(root).filter(slug=slug).first()
    if council is None:
        council = CouncilHomePage(
            slug=slug,
            title=name,
            official_name=name,
            siret=siret,
            insee_code=insee_code,
            address=address,
            email=email,
            dpo_email=dpo_email,
            primary_colour=colour,
        )
        council.full_clean(exclude=["path", "depth", "url_path"])
        root.add_child(instance=council)
        council.save_revision().publish()
        council.refresh_from_db()
    Site.objects.get_or_create(hostname=hostname, port=port, defaults={"root_page": council, "site_name": name})
    starter_pages(council)
    council.refresh_from_db()
    return council
