"""Demo content of the ``home`` app: two councils on two hostnames, their footer pages and staff.

``load`` is idempotent: it updates what exists and creates what is missing. Other apps' demo loaders
reuse ``upsert_page`` and ``DEMO_COUNCILS``.
"""

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page, Site

from .demo_pages import load_council_pages
from .models import CouncilHomePage, CouncilKind, StandardPage
from .staff import editor_group_ensure
from .starter import upsert_page

DEMO_PASSWORD_ADMIN = "demo-admin-2026"
# Per demo council (slug): the non-resident surcharge of its 2026 tariffs, in per cent.
DEMO_NON_RESIDENT_SURCHARGES = {"valmont": "15", "bellerive": "10"}
DEMO_PASSWORD_STAFF = "demo-staff-2026"


@dataclass(frozen=True)
class DemoCouncil:
    slug: str
    hostname: str
    official_name: str
    kind: str
    siret: str
    insee_code: str
    address: str
    email: str
    phone: str
    colour: str
    is_default_site: bool


DEMO_COUNCILS = [
    DemoCouncil(
        slug="valmont",
        hostname="localhost",
        official_name="Ville de Valmont",
        kind=CouncilKind.COMMUNE,
        siret="21219990500010",
        insee_code="21990",
        address="Hôtel de ville\n1 place de la Mairie\n21990 Valmont",
        email="enfance@valmont.example.fr",
        phone="03 80 00 00 01",
        colour="#1d4f91",
        is_default_site=True,
    ),
    DemoCouncil(
        slug="bellerive",
        hostname="bellerive.localhost",
        official_name="Commune de Bellerive",
        kind=CouncilKind.COMMUNE,
        siret="21219991300014",
        insee_code="21991",
        address="Mairie\n12 rue du Lavoir\n21991 Bellerive",
        email="accueil@bellerive.example.fr",
        phone="03 80 00 00 02",
        colour="#7a2e0e",
        is_default_site=False,
    ),
]

# Demo staff with a known TOTP secret (20 bytes, shown in base32 to authenticator apps) and known
# backup codes, so that the demo and the browser tests can pass the second factor.
DEMO_TOTP_KEYS = {
    "admin": b"portail-admin-totp!!".hex(),
    "editeur.valmont": b"valmont-editor-totp!".hex(),
    "editeur.bellerive": b"bellerive-edit-totp!".hex(),
}


def demo_backup_codes(username: str) -> list[str]:
    stem = username.split(".")[-1][:6]
    return [f"{stem}{n:02d}" for n in range(1, 6)]


def accessibility_statement(spec: DemoCouncil) -> str:
    """The accessibility statement, in the RGAA 4.1 structure, from what the project's checks verify."""
    return (
        f"<p>{spec.official_name} s'engage à rendre son portail famille accessible conformément à l'article 47 "
        "de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au portail famille (pages "
        "publiques, compte famille, démarches en ligne et espace famille).</p>"
        "<h2>État de conformité</h2><p>Le portail famille est <b>partiellement conforme</b> avec le "
        "référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit complet "
        "n'a encore été réalisé par un organisme indépendant.</p>"
        "<h2>Résultats des tests</h2><p>À chaque version, des parcours complets sont rejoués dans un "
        "navigateur réel (création de compte, connexion, dossier famille avec le quotient familial, envoi "
        "d'un justificatif, acceptation du règlement, correction demandée par le service) et chaque page "
        "visitée, y compris avec des erreurs de saisie, est analysée par l'outil axe-core : aucune erreur "
        "grave ou critique n'est tolérée. Le lien d'évitement, l'ordre de tabulation et la visibilité du "
        "focus sont vérifiés au clavier.</p>"
        "<h2>Contenus non accessibles</h2><ul><li>Les documents PDF publiés (délibérations signées, "
        "arrêtés) sont des scans qui ne sont pas tous balisés ; une version texte est donnée sur la page de "
        "chaque délibération.</li><li>Le récapitulatif PDF d'un dossier ne restitue pas les caractères "
        "hors de l'alphabet latin.</li><li>L'interface d'administration réservée aux agents n'a pas été "
        "évaluée.</li></ul>"
        "<h2>Établissement de cette déclaration</h2><p>Technologies : HTML5, CSS, JavaScript (facultatif : "
        "les formulaires fonctionnent sans). Environnement de test : Chromium, lecteur d'écran simulé par "
        "les rôles et noms accessibles des éléments, navigation au clavier. Outils : axe-core, Playwright.</p>"
        "<h2>Retour d'information et contact</h2><p>Si vous n'arrivez pas à accéder à un contenu ou à un "
        f'service, écrivez à <a href="mailto:{spec.email}">{spec.email}</a> ou appelez le {spec.phone} : '
        "nous vous orienterons vers une alternative accessible ou vous transmettrons le contenu sous une "
        "autre forme.</p>"
        "<h2>Voies de recours</h2><p>Si vous nous avez signalé un défaut d'accessibilité qui vous empêche "
        "d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, "
        "vous pouvez écrire au Défenseur des droits, contacter son délégué dans votre région, ou envoyer un "
        "courrier gratuit (sans timbre) à : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>"
    )


def _footer_pages(council: CouncilHomePage, spec: DemoCouncil) -> None:
    texts = {
        "accessibility_page": (
            "declaration-accessibilite",
            "Déclaration d'accessibilité",
            accessibility_statement(spec),
        ),
        "legal_notice_page": (
            "mentions-legales",
            "Mentions légales",
            f"<p>Éditeur : {spec.official_name}, SIRET {spec.siret}. Directeur de la publication : le "
            "maire. Hébergement : les serveurs de la collectivité.</p>",
        ),
        "personal_data_page": (
            "donnees-personnelles",
            "Données personnelles",
            "<p>Les données de votre dossier servent à inscrire vos enfants aux services municipaux et à "
            "calculer vos tarifs (mission d'intérêt public). Vous pouvez y accéder, les faire rectifier et "
            "demander leur limitation en écrivant au délégué à la protection des données.</p>",
        ),
        "cookies_page": (
            "cookies",
            "Cookies",
            "<p>Ce site n'utilise que les cookies nécessaires à son fonctionnement (session et protection "
            "contre la falsification de requêtes). Aucun cookie de mesure d'audience ni de publicité.</p>",
        ),
    }
    changed = False
    for field, (slug, title, body) in texts.items():
        page = upsert_page(council, StandardPage, slug, title=title, body=body, show_in_menus=False)
        if getattr(council, f"{field}_id") != page.pk:
            setattr(council, field, page)
            changed = True
    if changed:
        council.save_revision().publish()


def _council(spec: DemoCouncil) -> CouncilHomePage:
    root = Page.get_first_root_node()
    council = upsert_page(
        root,
        CouncilHomePage,
        spec.slug,
        title=spec.official_name,
        official_name=spec.official_name,
        kind=spec.kind,
        siret=spec.siret,
        insee_code=spec.insee_code,
        address=spec.address,
        email=spec.email,
        phone=spec.phone,
        dpo_name="Délégué à la protection des données",
        dpo_email=f"dpo@{spec.email.split('@')[1]}",
        primary_colour=spec.colour,
        introduction=f"<p>Bienvenue sur le portail famille de {spec.official_name} : inscriptions, "
        "règlements, tarifs et démarches en ligne.</p>",
    )
    # The site's hostname and port make every absolute link (emails, rules): the port `make run` serves on.
    Site.objects.filter(hostname=spec.hostname).exclude(root_page=council).delete()
    Site.objects.update_or_create(
        hostname=spec.hostname,
        root_page=council,
        defaults={"port": demo_port(), "is_default_site": spec.is_default_site, "site_name": spec.official_name},
    )
    _footer_pages(council, spec)
    return council


def demo_port() -> int:
    """The port the demo is served on (``PORT``, as ``make run`` passes it; 8000 by default)."""
    return int(os.environ.get("PORT") or 8000)


def _remove_wagtail_welcome_page() -> None:
    # Wagtail's first migration creates a "Welcome" page as the default site; the councils replace it.
    Site.objects.exclude(root_page__in=CouncilHomePage.objects.all()).delete()
    for page in Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore"):
        page.delete()


def ensure_staff_user(username: str, *, email: str, groups=(), superuser: bool = False, password: str) -> None:
    """Create or reset a demo staff user, with its known TOTP secret and backup codes."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.email = email
    user.is_staff = superuser
    user.is_superuser = superuser
    user.is_active = True
    user.first_name, _, user.last_name = username.partition(".")
    user.set_password(password)
    user.save()
    user.groups.set(groups)
    key = DEMO_TOTP_KEYS.get(username)
    if key:
        TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
        TOTPDevice.objects.update_or_create(user=user, key=key, defaults={"name": "demo", "confirmed": True})
        backup, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
        backup.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=backup, token=t) for t in demo_backup_codes(username))


def demo_councils() -> list[CouncilHomePage]:
    return list(CouncilHomePage.objects.filter(slug__in=[c.slug for c in DEMO_COUNCILS]).order_by("path"))


@transaction.atomic
def load(*, stdout) -> None:
    councils = [_council(spec) for spec in DEMO_COUNCILS]
    _remove_wagtail_welcome_page()
    ensure_staff_user("admin", email="admin@portail.example.fr", superuser=True, password=DEMO_PASSWORD_ADMIN)
    for council in councils:
        ensure_staff_user(
            f"editeur.{council.slug}",
            email=f"editeur@{council.slug}.example.fr",
            groups=[editor_group_ensure(council)],
            password=DEMO_PASSWORD_STAFF,
        )
    stdout.write(f"Councils: {', '.join(c.official_name for c in councils)}")
    # Council pages (issue 3): deliberations, internal rules in two versions, the 2026 tariffs.
    for council in councils:
        load_council_pages(council, surcharge=DEMO_NON_RESIDENT_SURCHARGES[council.slug])
    stdout.write("Council pages: deliberations, internal rules (2 versions), 2026 tariffs")
