"""Reads about councils that other apps may use (public surface of ``home``)."""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail import hooks
from wagtail.contrib.search_promotions.models import Query
from wagtail.documents import get_document_model
from wagtail.models import GroupPagePermission, Page, ReferenceIndex, Site

from common.memo import remembered

from . import tariffs
from .models import CouncilHomePage, RulesAcceptance, RulesPage, RulesVersion, TariffDecreePage


def council_for_request(request) -> CouncilHomePage | None:
    """The council whose Wagtail site serves this request's host, remembered until the page tree changes.
    Callers must not change it."""

    def load() -> CouncilHomePage | None:
        site = Site.find_for_request(request)
        if site is None:
            return None
        return CouncilHomePage.objects.filter(pk=site.root_page_id).select_related("logo").first()

    return remembered("council_of_host", (request.get_host(), request.get_port()), load)


def council_site_url(council) -> str:
    """The council's own site root (``http://host[:port]``, no trailing slash): the base of every absolute
    link the portal sends (emails), whoever or whatever sends it (a request, a worker)."""
    site = Site.objects.filter(root_page_id=council.pk).order_by("-is_default_site", "pk").first() if council else None
    return (site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def council_for_page(page) -> CouncilHomePage | None:
    """The council a page belongs to: its nearest ``CouncilHomePage`` ancestor (or itself), remembered
    until the page tree changes."""
    return remembered("council", page.path, lambda: CouncilHomePage.objects.ancestor_of(page, inclusive=True).first())


def councils_for_user(user) -> QuerySet[CouncilHomePage]:
    """Councils a staff user works for: those whose page tree one of the user's groups has rights on, and
    those the ``home_councils_for_user`` hooks return (``fn(user) -> QuerySet[CouncilHomePage]``).

    Superusers work for every council; anonymous users and families for none.
    """
    if not user.is_authenticated or not user.is_active:
        return CouncilHomePage.objects.none()
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    page_ids = GroupPagePermission.objects.filter(group__user=user).values_list("page_id", flat=True)
    councils = CouncilHomePage.objects.filter(pk__in=page_ids)
    # Other apps give staff a council without page rights (e.g. agents, who handle dossiers): they
    # answer through the ``home_councils_for_user`` hook, since home imports none of them.
    for extra in hooks.get_hooks("home_councils_for_user"):
        councils = councils | extra(user)
    return councils.distinct()


def council_by_slug(slug: str) -> CouncilHomePage:
    return CouncilHomePage.objects.get(slug=slug)


# --- internal rules ------------------------------------------------------------------------------

RULES_AUDIENCE_HOOK = "home_rules_expected_accepters"


def rules_pages_for_council(*, council) -> QuerySet[RulesPage]:
    """The live rules pages of a council, by title."""
    return RulesPage.objects.live().descendant_of(council).order_by("title")


def rules_pages_to_accept_again(*, council, user) -> list[RulesPage]:
    """The council's rules that ``user`` accepted in an earlier version only: they must accept the new one."""
    if not user.is_authenticated:
        return []
    accepted = RulesPage.objects.filter(acceptances__user=user).values("pk")
    pages = rules_pages_for_council(council=council).filter(pk__in=accepted)
    return [page for page in pages if rules_acceptance_status(rules_page=page, user=user) == "outdated"]


def rules_version_in_force(*, rules_page, on: date | None = None) -> RulesVersion | None:
    """The version of ``rules_page`` in force on ``on`` (today by default): the latest to have taken effect."""
    return rules_page.version_in_force(on=on)


def rules_versions_with_periods(*, rules_page) -> list[RulesVersion]:
    """Every version of ``rules_page``, oldest first, each with ``valid_to`` and ``in_force`` (today)."""
    return rules_page.versions_with_periods()


def rules_in_force(*, rules_page_id: int) -> tuple[RulesPage | None, RulesVersion | None]:
    """A live rules page and its version in force today, remembered until the page tree changes (a new
    version is frozen when the rules are published) or the day ends. Callers must not change them."""

    def load():
        rules_page = RulesPage.objects.live().defer_streamfields().filter(pk=rules_page_id).first()
        return rules_page, rules_version_in_force(rules_page=rules_page) if rules_page else None

    return remembered("rules_in_force", (rules_page_id, timezone.localdate()), load)


def rules_acceptance_status(*, rules_page, user) -> str:
    """``"accepted"`` (the version in force), ``"outdated"`` (only earlier versions) or ``"never"``."""
    return rules_page.acceptance_status(user)


def rules_expected_accepters(*, rules_page) -> QuerySet:
    """Family accounts expected to accept ``rules_page``: those who accepted any version of it, plus those
    that other apps declare through the ``home_rules_expected_accepters`` hook (``fn(rules_page) -> users``).
    """
    ids = set(RulesAcceptance.objects.filter(rules_page=rules_page).values_list("user_id", flat=True))
    for fn in hooks.get_hooks(RULES_AUDIENCE_HOOK):
        ids.update(fn(rules_page).values_list("pk", flat=True))
    return get_user_model().objects.filter(pk__in=ids).order_by("email")


def rules_acceptance_register(*, rules_page, version: RulesVersion) -> dict:
    """Who accepted ``version`` (latest acceptance per account) and who has not yet, with counts."""
    acceptances = list(
        RulesAcceptance.objects.filter(version=version).select_related("user").order_by("user_id", "-accepted_at")
    )
    latest_per_user = {}
    for acceptance in acceptances:
        latest_per_user.setdefault(acceptance.user_id, acceptance)
    accepted = sorted(latest_per_user.values(), key=lambda a: a.accepted_at, reverse=True)
    pending = list(rules_expected_accepters(rules_page=rules_page).exclude(pk__in=latest_per_user))
    return {
        "accepted": accepted,
        "pending": pending,
        "accepted_count": len(accepted),
        "pending_count": len(pending),
    }


def rules_acceptances_for_export(*, rules_page, version_number: int | None = None) -> QuerySet[RulesAcceptance]:
    """The evidence register of ``rules_page`` (optionally one version), oldest first."""
    queryset = (
        RulesAcceptance.objects.filter(rules_page=rules_page).select_related("user").order_by("accepted_at", "pk")
    )
    if version_number is not None:
        queryset = queryset.filter(version_number=version_number)
    return queryset


# --- tariff decrees ------------------------------------------------------------------------------

TARIFF_FORMAT = "portail-famille.tariff-decree"
TARIFF_FORMAT_VERSION = 1


def decree_in_force(*, council, on: date | None = None, service_key: str | None = None) -> TariffDecreePage | None:
    """The live decree of ``council`` valid on ``on`` (today by default) that started last; with
    ``service_key``, the latest such decree that prices this service."""
    on = on or timezone.localdate()
    decrees = (
        TariffDecreePage.objects.live()
        .descendant_of(council)
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-pk")
    )
    for decree in decrees:
        if service_key is None or any(child.value["key"] == service_key for child in decree.services):
            return decree
    return None


def live_decree(*, decree_id: int) -> TariffDecreePage | None:
    """A published, public decree by id (what the open-data API may expose), or ``None``."""
    return TariffDecreePage.objects.live().public().filter(pk=decree_id).first()


def tariff_decree_summary(*, decree: TariffDecreePage, request=None) -> dict:
    return {
        "id": decree.pk,
        "key": decree.key,
        "title": decree.title,
        "reference": decree.reference,
        "valid_from": decree.valid_from.isoformat(),
        "valid_to": decree.valid_to.isoformat() if decree.valid_to else None,
        "url": decree.get_full_url(request),
    }


def tariff_decree_export(*, decree: TariffDecreePage, request=None) -> dict:
    """The decree as open data: the JSON shape of docs/tariff-format.md, which the import command reads."""
    council = council_for_page(decree)
    links = decree.deliberation_links.select_related("deliberation").order_by("sort_order")
    document = decree.arrete_document
    return {
        "format": TARIFF_FORMAT,
        "format_version": TARIFF_FORMAT_VERSION,
        **tariff_decree_summary(decree=decree, request=request),
        "council": {"slug": council.slug, "name": council.official_name, "siret": council.siret} if council else None,
        "deliberations": [
            {
                "number": link.deliberation.number,
                "session_date": link.deliberation.session_date.isoformat(),
                "role": link.role,
                "url": link.deliberation.get_full_url(request),
            }
            for link in links
        ],
        "arrete_document": document.url if document else None,
        "currency": "EUR",
        **tariffs.grid_terms_to_dict(decree.grid()),
    }


def site_search(*, council: CouncilHomePage, query: str):
    """The council's live public pages matching ``query`` (content, news, events, deliberations, forms...),
    best first, and the editors' promoted results for it (Wagtail's search promotions)."""
    pages = Page.objects.live().public().descendant_of(council, inclusive=True).specific()
    results = pages.search(query, operator="and")
    search_query = Query.get(query)
    search_query.add_hit()
    promotions = [
        promotion
        for promotion in search_query.editors_picks.select_related("page").order_by("sort_order")
        if promotion.page_id and promotion.page.path.startswith(council.path) and promotion.page.live
    ]
    return results, promotions


def site_documents_search(*, council: CouncilHomePage, query: str):
    """The documents published on the council's live public pages (those the site links to, as Wagtail's
    reference index knows them) matching ``query``: a document uploaded but linked nowhere stays unfound."""
    pages = Page.objects.live().public().descendant_of(council, inclusive=True)
    document_ids = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=[str(pk) for pk in pages.values_list("pk", flat=True)],
        to_content_type=ContentType.objects.get_for_model(get_document_model()),
    ).values_list("to_object_id", flat=True)
    documents = get_document_model().objects.filter(pk__in=[int(pk) for pk in document_ids])
    return documents.search(query, operator="and")
