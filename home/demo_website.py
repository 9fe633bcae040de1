"""Demo content of the councils' websites: logo, colours, a home page built from blocks, news, events, a
content page using the block library, and menus. Two councils, each with its own texts and dates.

Runs after the forms' demo (``PORTAIL_DEMO_LOADERS``) so that the menu can link to the procedures. Dates
are computed from today so that the demo always has coming events and recent news. Idempotent.
"""

import datetime
import io
import json
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from fpdf import FPDF
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from .demo import demo_councils, upsert_page
from .models import CouncilHomePage, DeliberationIndexPage
from .pages import ContentPage, EventPage, NewsPage
from .starter import child_page, starter_pages


@dataclass(frozen=True)
class DemoWebsite:
    slogan: str
    banner_text: str
    news: tuple[tuple[str, str, str, tuple[str, ...], int], ...]  # slug, title, summary, tags, days ago
    events: tuple[tuple[str, str, str, str, int, int], ...]  # slug, title, place, audience, in days, hour
    # The key dates around the coming school year (the year of the next September): month, day, end month,
    # end day, label.
    key_dates: tuple[tuple[int, int, int | None, int | None, str], ...]
    banner_motif: str  # "circles" or "waves": each council's banner is its own picture


WEBSITES = {
    "valmont": DemoWebsite(
        slogan="Valmont, une ville à hauteur d'enfant",
        banner_text="Inscriptions à la cantine, au périscolaire et au centre de loisirs pour la rentrée : "
        "tout se fait en ligne.",
        news=(
            (
                "inscriptions-ouvertes",
                "Les inscriptions de la rentrée sont ouvertes",
                "Dossier famille et inscriptions des enfants : remplissez-les en ligne avant la date limite.",
                ("Enfance", "Inscriptions"),
                2,
            ),
            (
                "nouveau-restaurant-scolaire",
                "Un nouveau restaurant scolaire à l'école des Tilleuls",
                "Plus de places, moins de bruit et des repas préparés sur place.",
                ("Restauration",),
                20,
            ),
            (
                "centre-loisirs-ete",
                "Le programme de l'accueil de loisirs cet été",
                "Sorties, ateliers et mini-camps : découvrez le programme des vacances.",
                ("Loisirs",),
                40,
            ),
        ),
        events=(
            (
                "reunion-rentree",
                "Réunion d'information sur la rentrée",
                "Salle des fêtes, place de la Mairie",
                "Parents",
                12,
                18,
            ),
            ("forum-associations", "Forum des associations", "Gymnase Jean-Moulin", "Tout public", 30, 10),
            (
                "conseil-municipal-enfants",
                "Conseil municipal des enfants",
                "Hôtel de ville",
                "Élèves de CM1-CM2",
                -15,
                17,
            ),
        ),
        key_dates=(
            (6, 30, None, None, "Fin des inscriptions pour la rentrée"),
            (9, 1, None, None, "Rentrée scolaire"),
            (10, 17, 11, 2, "Vacances d'automne : accueil de loisirs"),
        ),
        banner_motif="circles",
    ),
    "bellerive": DemoWebsite(
        slogan="Bellerive, au bord de l'eau",
        banner_text="Le portail famille de Bellerive : vos démarches pour l'école, la cantine et les mercredis.",
        news=(
            (
                "mercredis-loisirs",
                "Les mercredis au centre social reprennent",
                "Ateliers nature et jeux au bord du lac pour les 6-11 ans, sur inscription.",
                ("Loisirs",),
                5,
            ),
            (
                "nouveaux-tarifs",
                "Les nouveaux tarifs des services à l'enfance",
                "Le conseil municipal a fixé les nouveaux tarifs : simulez le vôtre en ligne.",
                ("Tarifs",),
                25,
            ),
        ),
        events=(
            ("fete-du-lac", "Fête du lac", "Plage municipale", "Familles", 20, 14),
            (
                "atelier-parents",
                "Atelier parents : le sommeil des tout-petits",
                "Centre social, 3 rue du Port",
                "Parents d'enfants de 0 à 3 ans",
                8,
                9,
            ),
        ),
        key_dates=(
            (5, 31, None, None, "Dossier famille à renouveler"),
            (7, 6, 8, 28, "Été au bord du lac : centre de loisirs"),
            (9, 2, None, None, "Rentrée des classes"),
            (11, 4, None, None, "Reprise des mercredis au centre social"),
        ),
        banner_motif="waves",
    ),
}


def _png(colour: str, size: tuple[int, int], label: str, motif: str = "circles") -> bytes:
    picture = PILImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    width, height = size
    if motif == "waves":
        for row in range(1, 5):
            top = height * row // 5
            for left in range(-width // 8, width, width // 4):
                draw.arc(
                    (left, top - height // 10, left + width // 4, top + height // 10), 0, 180, fill="white", width=5
                )
    else:
        draw.ellipse((width // 8, height // 8, width * 7 // 8, height * 7 // 8), outline="white", width=6)
    draw.text((size[0] // 2, size[1] // 2), label, fill="white", anchor="mm", font_size=min(size) // 3)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _image(council: CouncilHomePage, title: str, colour: str, size: tuple[int, int], label: str, motif="circles"):
    image_model = get_image_model()
    image = image_model.objects.filter(title=title).first()
    if image is None:
        collection = Collection.objects.filter(name=council.official_name).first() or Collection.get_first_root_node()
        image = image_model(title=title, collection=collection)
        filename = f"{council.slug}-{title.split()[0].lower()}.png"
        image.file = ImageFile(io.BytesIO(_png(colour, size, label, motif)), name=filename)
        image.save()
    return image


def _document(council: CouncilHomePage, title: str, lines: list[str]):
    """A small PDF in the council's collection (made once, then left as the editors keep it)."""
    document_model = get_document_model()
    document = document_model.objects.filter(title=title).first()
    if document is None:
        pdf = FPDF(format="A4")
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)  # the core fonts know Latin-1: enough for French
        pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for line in lines:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        collection = Collection.objects.filter(name=council.official_name).first() or Collection.get_first_root_node()
        document = document_model(title=title, collection=collection)
        document.file.save(
            f"{council.slug}-{title.split()[0].lower()}.pdf", ContentFile(bytes(pdf.output())), save=False
        )
        document.save()
    return document


def _content_page(council: CouncilHomePage, pages: dict, banner) -> Page:
    body = [
        {
            "type": "text",
            "value": "<p>Chaque année, votre foyer remplit un dossier famille, puis inscrit chaque "
            "enfant aux services dont il a besoin.</p>",
        },
        {"type": "heading", "value": {"text": "Les étapes", "level": "h2"}},
        {
            "type": "key_dates",
            "value": {
                "heading": "",
                "dates": [
                    {
                        "date": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
                        "end_date": None,
                        "label": "Ouverture des inscriptions",
                    },
                    {
                        "date": (timezone.localdate() + datetime.timedelta(days=45)).isoformat(),
                        "end_date": None,
                        "label": "Clôture des inscriptions",
                    },
                ],
            },
        },
        {
            "type": "callout",
            "value": {
                "kind": "warning",
                "title": "Pièces à préparer",
                "text": "<ul><li>un justificatif de domicile de moins de 3 mois</li><li>votre numéro d'allocataire "
                "CAF ou votre avis d'imposition</li><li>l'attestation d'assurance de l'enfant</li></ul>",
            },
        },
        {
            "type": "image_text",
            "value": {
                "image": banner.pk,
                "alt": "",
                "decorative": True,
                "caption": "",
                "text": "<p>Le service enfance vous accompagne si vous n'avez pas d'accès à internet : prenez "
                "rendez-vous à l'accueil de la mairie.</p>",
                "image_position": "left",
            },
        },
        {
            "type": "accordion",
            "value": {
                "heading": "Questions fréquentes",
                "items": [
                    {
                        "title": "Qui doit remplir le dossier famille ?",
                        "body": "<p>Chaque responsable légal ; en garde alternée, chaque parent remplit le sien.</p>",
                    },
                    {
                        "title": "Que se passe-t-il si l'API de la CAF ne répond pas ?",
                        "body": "<p>Vous déposez votre attestation : votre dossier n'est jamais bloqué.</p>",
                    },
                ],
            },
        },
        {
            "type": "cards",
            "value": {
                "heading": "Pour aller plus loin",
                "cards": [
                    {
                        "title": "Questions fréquentes",
                        "text": "Les réponses aux questions courantes.",
                        "image": None,
                        "page": pages["faq"].pk,
                        "document": None,
                        "url": "",
                    },
                    {
                        "title": "Contact",
                        "text": "Écrire ou téléphoner au service enfance.",
                        "image": None,
                        "page": pages["contact"].pk,
                        "document": None,
                        "url": "",
                    },
                ],
            },
        },
        {
            "type": "table",
            "value": {
                "caption": "Horaires de l'accueil périscolaire",
                "table": {
                    "first_row_is_table_header": True,
                    "first_col_is_header": True,
                    "data": [
                        ["Accueil", "Lundi, mardi, jeudi, vendredi", "Mercredi"],
                        ["Matin", "7 h 30 – 8 h 20", "7 h 30 – 9 h"],
                        ["Soir", "16 h 30 – 18 h 30", "17 h – 18 h 30"],
                    ],
                },
            },
        },
        {
            "type": "documents",
            "value": {
                "heading": "Documents à télécharger",
                "documents": [
                    _document(
                        council,
                        f"Liste des pièces justificatives ({council.official_name})",
                        [
                            "Justificatif de domicile de moins de 3 mois.",
                            "Numéro d'allocataire CAF ou MSA, ou dernier avis d'imposition.",
                            "Attestation d'assurance de l'enfant.",
                        ],
                    ).pk
                ],
            },
        },
        {
            "type": "quote",
            "value": {
                "quote": "Inscrire mes enfants m'a pris dix minutes, depuis mon téléphone.",
                "author": "Une maman",
                "source": "",
            },
        },
        {
            "type": "contact",
            "value": {
                "service": "Service enfance",
                "address": council.address,
                "hours": "Du lundi au vendredi, de 8 h 30 à 12 h",
                "phone": council.phone,
                "email": council.email,
            },
        },
    ]
    return child_page(
        council,
        ContentPage,
        "inscriptions",
        title="Inscriptions scolaires et périscolaires",
        introduction="Tout ce qu'il faut savoir pour inscrire vos enfants à la cantine, au périscolaire et "
        "à l'accueil de loisirs.",
        search_description="Dates, pièces à préparer et étapes des inscriptions à la cantine et au périscolaire.",
        show_in_menus=True,
        body=json.dumps(body),
    )


def _news_and_events(council: CouncilHomePage, site: DemoWebsite, pages: dict, banner) -> None:
    today = timezone.localdate()
    for slug, title, summary, tags, days_ago in site.news:
        if NewsPage.objects.child_of(pages["news"]).filter(slug=slug).exists():
            continue  # made on a first run: left as the editors keep it
        page = child_page(
            pages["news"],
            NewsPage,
            slug,
            title=title,
            summary=summary,
            date=today - datetime.timedelta(days=days_ago),
            image=banner if days_ago < 10 else None,
            search_description=summary,
            body=json.dumps([{"type": "text", "value": f"<p>{summary}</p>"}]),
        )
        page.tags.set(tags)
        page.save_revision().publish()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0)))
    for slug, title, place, audience, in_days, hour in site.events:
        start = midnight + datetime.timedelta(days=in_days, hours=hour)
        upsert_page(
            pages["agenda"],
            EventPage,
            slug,
            title=title,
            place=place,
            audience=audience,
            start=start,
            end=start + datetime.timedelta(hours=2),
            summary=f"{title} : {audience.lower()}.",
            search_description=f"{title}, {place}.",
        )


def _home(council: CouncilHomePage, site: DemoWebsite, pages: dict, banner, logo) -> None:
    if any(block.block_type == "banner" for block in council.body):
        return  # built on a first run: the editors' changes are theirs
    procedures = Page.objects.child_of(council).live().filter(slug="demarches").first()
    deliberations = DeliberationIndexPage.objects.child_of(council).live().first()
    today = timezone.localdate()
    year = today.year if today.month < 9 else today.year + 1
    link = {"page": (procedures or pages["content"]).pk, "url": "", "label": "Faire une démarche en ligne"}
    council.body = json.dumps(
        [
            {
                "type": "banner",
                "value": {"title": site.slogan, "text": site.banner_text, "image": banner.pk, "link": link},
            },
            {"type": "online_procedures", "value": {"heading": "Démarches en ligne"}},
            {
                "type": "cards",
                "value": {
                    "heading": "Vos services",
                    "cards": [
                        {
                            "title": pages["content"].title,
                            "text": "Dates, pièces à préparer, étapes.",
                            "image": None,
                            "page": pages["content"].pk,
                            "document": None,
                            "url": "",
                        },
                        {
                            "title": "Questions fréquentes",
                            "text": "Les réponses aux questions des familles.",
                            "image": None,
                            "page": pages["faq"].pk,
                            "document": None,
                            "url": "",
                        },
                    ],
                },
            },
            {"type": "latest_news", "value": {"heading": "Actualités", "count": 3}},
            {"type": "next_events", "value": {"heading": "Agenda", "count": 3}},
            {
                "type": "key_dates",
                "value": {
                    "heading": "Dates clés de l'année",
                    "dates": [
                        {
                            "date": datetime.date(year, month, day).isoformat(),
                            "end_date": datetime.date(year, end_month, end_day).isoformat() if end_month else None,
                            "label": label,
                        }
                        for month, day, end_month, end_day, label in site.key_dates
                    ],
                },
            },
        ]
    )
    menu = []
    if procedures:
        menu.append({"type": "item", "value": {"page": procedures.pk, "url": "", "label": "", "children": []}})
    menu += [
        {
            "type": "item",
            "value": {
                "page": pages["content"].pk,
                "url": "",
                "label": "Inscriptions",
                "children": [
                    {"page": pages["faq"].pk, "url": "", "label": ""},
                    {"page": pages["contact"].pk, "url": "", "label": ""},
                ],
            },
        },
        {"type": "item", "value": {"page": pages["news"].pk, "url": "", "label": "", "children": []}},
        {"type": "item", "value": {"page": pages["agenda"].pk, "url": "", "label": "", "children": []}},
    ]
    if deliberations:
        menu.append({"type": "item", "value": {"page": deliberations.pk, "url": "", "label": "", "children": []}})
    council.main_menu = json.dumps(menu)
    council.footer_menu = json.dumps([{"type": "link", "value": {"page": pages["contact"].pk, "url": "", "label": ""}}])
    council.social_links = json.dumps(
        [
            {
                "type": "link",
                "value": {
                    "page": None,
                    "url": f"https://mastodon.example.fr/@{council.slug}",
                    "label": f"{council.official_name} sur Mastodon",
                },
            }
        ]
    )
    council.logo = logo
    council.favicon = logo
    council.save_revision().publish()


def load(*, stdout) -> None:
    for council in demo_councils():
        site = WEBSITES[council.slug]
        initials = "".join(word[0] for word in council.official_name.split()[-1:]).upper()
        logo = _image(council, f"Logo {council.official_name}", council.primary_colour, (160, 160), initials)
        banner = _image(
            council, f"Bannière {council.official_name}", council.primary_colour, (1200, 400), "", site.banner_motif
        )
        pages = starter_pages(council)
        pages["content"] = _content_page(council, pages, banner)
        _news_and_events(council, site, pages, banner)
        _home(council, site, pages, banner, logo)
        council.refresh_from_db()
    stdout.write("Websites: home pages from blocks, news, agenda, content page, menus (both councils)")
