"""Public views of the ``home`` app: rules versions, acceptance and receipts; the tariff API."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import TariffSimulationForm
from .models import RulesAcceptance, safe_next_url
from .selectors import (
    council_for_page,
    council_for_request,
    live_decree,
    site_documents_search,
    site_search,
    tariff_decree_export,
    tariff_decree_summary,
)


@never_cache
def rules_receipt(request, reference):
    """A family's printable receipt of one of its acceptances (other accounts get a 404)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    acceptance = get_object_or_404(
        RulesAcceptance.objects.select_related("version", "rules_page", "user"), reference=reference, user=request.user
    )
    return render(
        request,
        "home/rules_receipt.html",
        {
            "acceptance": acceptance,
            "issuer": council_for_page(acceptance.rules_page),
            "back_url": safe_next_url(request) or acceptance.rules_page.get_url(request),
        },
    )


# --- tariffs ---------------------------------------------------------------------------------------


def _json(data, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Open data: any site may read the grids and quotes.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _no_such_decree() -> JsonResponse:
    with translation.override("fr"):
        return _json({"error": _("No published tariff decree has this number.")}, status=404)


@require_GET
def tariff_grid_api(request, decree_id: int):
    """``GET /api/tarifs/<id>/``: a live decree's grid, machine-readable (docs/tariff-format.md)."""
    decree = live_decree(decree_id=decree_id)
    if decree is None:
        return _no_such_decree()
    return _json(tariff_decree_export(decree=decree, request=request))


@require_GET
def tariff_quote_api(request, decree_id: int):
    """``GET /api/tarifs/<id>/quote?service=&qf=&resident=&children=&aeeh=&resources=&proof=&column=``."""
    decree = live_decree(decree_id=decree_id)
    if decree is None:
        return _no_such_decree()
    with translation.override("fr"):
        form = TariffSimulationForm(request.GET, grid=decree.grid())
        if not form.is_valid():
            errors = form.errors.get_json_data()
            parameter = next(iter(errors))
            messages = {
                name: [
                    _("Parameter “%(name)s”: %(message)s") % {"name": name, "message": e["message"]}
                    if name != NON_FIELD_ERRORS
                    else e["message"]
                    for e in entries
                ]
                for name, entries in errors.items()
            }
            return _json(
                {"error": messages[parameter][0], "parameter": parameter, "errors": messages},
                status=400,
            )
    return _json(
        {
            **form.quote.as_dict(),
            "decree": tariff_decree_summary(decree=decree, request=request),
        }
    )


@require_GET
def search(request):
    """The site search of the council serving the request."""
    council = council_for_request(request)
    if council is None:
        raise Http404
    query = request.GET.get("q", "").strip()[:200]
    context = {"query": query, "count": 0, "page_obj": None, "promotions": [], "documents": []}
    if query:
        results, promotions = site_search(council=council, query=query)
        page_obj = Paginator(results, 10).get_page(request.GET.get("page"))
        documents = list(site_documents_search(council=council, query=query)[:20])
        context.update(
            page_obj=page_obj,
            promotions=promotions,
            documents=documents,
            count=page_obj.paginator.count + len(documents),
        )
    return render(request, "home/search.html", context)


@require_GET
def robots_txt(request):
    """Everything may be crawled but the admin, the family space and the forms' steps; the sitemap's address."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /compte/",
        "Disallow: /recherche/",
        "Disallow: /espace-famille/",
        "Disallow: /fichiers/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
