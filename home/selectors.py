"""Reads about councils that other apps may use (public surface of ``home``)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from wagtail.models import GroupPagePermission, Site

from .models import CouncilHomePage


def council_for_request(request) -> CouncilHomePage | None:
    """The council whose Wagtail site serves this request (cached on the request)."""
    if not hasattr(request, "_council"):
        site = Site.find_for_request(request)
        council = None
        if site is not None:
            council = CouncilHomePage.objects.filter(pk=site.root_page_id).select_related("logo").first()
        request._council = council
    return request._council


def council_for_page(page) -> CouncilHomePage | None:
    """The council a page belongs to: its nearest ``CouncilHomePage`` ancestor (or itself)."""
    return CouncilHomePage.objects.ancestor_of(page, inclusive=True).first()


def councils_for_user(user) -> QuerySet[CouncilHomePage]:
    """Councils a staff user works for: those whose page tree one of the user's groups has rights on.

    Superusers work for every council; anonymous users and families for none.
    """
    if not user.is_authenticated or not user.is_active:
        return CouncilHomePage.objects.none()
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    page_ids = GroupPagePermission.objects.filter(group__user=user).values_list("page_id", flat=True)
    return CouncilHomePage.objects.filter(pk__in=page_ids)


def council_by_slug(slug: str) -> CouncilHomePage:
    return CouncilHomePage.objects.get(slug=slug)


def deliberations_filter(*, index, params, per_page: int = 20) -> dict:
    """The deliberations of an index page filtered by ``year``, ``code`` (ACTES, prefix) and ``q``, paginated.

    Returns the template context: ``deliberations`` (the current page), ``years`` and ``codes`` (the choices
    that have deliberations) and ``filters`` (the cleaned values, to keep them in pagination links).
    """
    everything = index.deliberations()
    queryset = everything
    year = params.get("year", "").strip()
    code = params.get("code", "").strip()
    query = params.get("q", "").strip()[:100]
    if year.isdigit():
        queryset = queryset.filter(session_date__year=int(year))
    else:
        year = ""
    if code:
        queryset = queryset.filter(Q(nomenclature_code=code) | Q(nomenclature_code__startswith=f"{code}."))
    if query:
        for word in query.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(number__icontains=word)
                | Q(subject__icontains=word)
                | Q(nomenclature_label__icontains=word)
            )
    years = sorted({d.year for d in everything.values_list("session_date", flat=True)}, reverse=True)
    codes = sorted(set(everything.values_list("nomenclature_code", flat=True)), key=_actes_code_key)
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(params.get("page"))
    filters = {name: value for name, value in (("year", year), ("code", code), ("q", query)) if value}
    return {
        "deliberations": page,
        "years": years,
        "codes": codes,
        "filters": filters,
        "filter_query": urlencode(filters),
    }


def _actes_code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())
