"""Public views of the ``home`` app: rules versions, acceptance and receipts; the tariff API."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import RulesAcceptanceForm
from .models import RulesAcceptance, RulesVersion
from .selectors import council_for_page, rules_acceptance_status, rules_version_in_force, rules_versions_with_periods
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
        return redirect("home:rules_receipt", reference=acceptance.reference)
    return render(
        request,
        "home/rules_accept.html",
        {"page": rules_page, "version": version, "form": form, "status": status},
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
            "back_url": acceptance.rules_page.url,
        },
    )
