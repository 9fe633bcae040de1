"""Public views of the ``home`` app: rules versions, acceptance and receipts; the tariff API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import RulesAcceptanceForm, TariffSimulationForm
from .models import RulesAcceptance, RulesVersion
from .selectors import (
    council_for_page,
    council_for_request,
    live_decree,
    rules_acceptance_status,
    rules_version_in_force,
    rules_versions_with_periods,
    site_documents_search,
    site_search,
    tariff_decree_export,
    tariff_decree_summary,
)
from .services import rules_accept


def rules_version(request, *, rules_page, number: int):
    """A version of a set of rules at its stable URL: its frozen text and when it was in force."""
    versions = rules_versions_with_periods(rules_page=rules_page)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404
    version.text = RulesVersion.objects.values_list("text", flat=True).get(pk=version.pk)
    return render(
        request,
        "home/rules_version.html",
        {"page": rules_page, "version": version, "versions": versions},
    )


@never_cache
def rules_accept_view(request, *, rules_page):
    """Read the version in force and accept it (logged-in family accounts)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    version = rules_version_in_force(rules_page=rules_page)
    status = rules_acceptance_status(rules_page=rules_page, user=request.user)
    form = RulesAcceptanceForm(request.POST or None, version=version) if version else None
    if request.method == "POST" and form is not None and form.is_valid():
        acceptance = rules_accept(
            rules_page=rules_page,
            user=request.user,
            guardian_name=form.cleaned_data["guardian_name"],
            checkbox_label=str(form.fields["accept"].label),
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.headers.get("user-agent", ""),
            version=version,
        )
        messages.success(request, _("Thank you: your acceptance is recorded. Keep this receipt."))
        receipt = reverse("home:rules_receipt", kwargs={"reference": acceptance.reference})
        following = _safe_next(request)
        return redirect(f"{receipt}?{urlencode({'next': following})}" if following else receipt)
    mine = RulesAcceptance.objects.filter(rules_page=rules_page, user=request.user).order_by("-accepted_at")
    return render(
        request,
        "home/rules_accept.html",
        {"page": rules_page, "version": version, "form": form, "status": status, "acceptances": mine},
    )


def _safe_next(request) -> str:
    """Where to go after accepting (e.g. back to what the family was doing at login), if on this site."""
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return ""


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
            "back_url": _safe_next(request) or acceptance.rules_page.get_url(request),
        },
    )


# --- tariffs ---------------------------------------------------------------------------------------


def tariff_simulation(request, *, decree, grid) -> dict:
    """The decree page's "simulate my price" form (GET, no JavaScript): bound once a service is chosen."""
    bound = "service" in request.GET
    data = None
    if bound:
        # Unanswered yes/no questions take their default, and the radios show it.
        data = request.GET.copy()
        for name in ("resident", "proof"):
            data.setdefault(name, "true")
    form = TariffSimulationForm(data, grid=grid, auto_id="sim-%s")
    quote = form.quote if bound and form.is_valid() else None
    return {"simulation_form": form, "simulation_quote": quote}


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
