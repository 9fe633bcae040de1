"""Staff views in the Wagtail admin: the rules acceptance registers (per council), CSV export, receipts."""

import itertools
from datetime import UTC

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from common import spreadsheet

from .admin_scoping import works_for_council
from .models import RulesAcceptance, RulesPage
from .selectors import (
    council_for_page,
    councils_for_user,
    rules_acceptance_register,
    rules_acceptances_for_export,
    rules_pages_for_council,
    rules_version_in_force,
    rules_versions_with_periods,
)
from .starter import council_site_create


def _rules_page_for_staff(request, page_id: int) -> RulesPage:
    rules_page = get_object_or_404(RulesPage, pk=page_id)
    council = council_for_page(rules_page)
    if not works_for_council(request.user, council.pk if council else None):
        raise PermissionDenied
    return rules_page


@require_GET
def registers_index(request):
    """The rules pages of the councils the staff member works for, with their version in force."""
    councils = list(councils_for_user(request.user).order_by("title"))
    sections = [
        {
            "council": council,
            "rules": [
                {"page": page, "in_force": rules_version_in_force(rules_page=page)}
                for page in rules_pages_for_council(council=council)
            ],
        }
        for council in councils
    ]
    return render(
        request,
        "home/admin/registers_index.html",
        {"sections": sections, "page_title": _("Rules acceptances"), "header_icon": "doc-full"},
    )


@require_GET
def register(request, page_id: int):
    """Per version of a set of rules: who accepted it and who has not yet."""
    rules_page = _rules_page_for_staff(request, page_id)
    versions = rules_versions_with_periods(rules_page=rules_page)
    if not versions:
        selected = None
    elif request.GET.get("version", "").isdigit():
        selected = next((v for v in versions if v.number == int(request.GET["version"])), None)
        if selected is None:
            raise Http404
    else:
        selected = next((v for v in versions if v.in_force), versions[-1])
    context = {
        "rules_page": rules_page,
        "versions": versions,
        "selected": selected,
        "page_title": _("Acceptances: %(title)s") % {"title": rules_page.title},
        "header_icon": "doc-full",
    }
    if selected is not None:
        context.update(rules_acceptance_register(rules_page=rules_page, version=selected))
    return render(request, "home/admin/register.html", context)


@require_GET
def register_csv(request, page_id: int):
    """The evidence register of a set of rules (or of one ``?version=``) as CSV, UTC timestamps."""
    rules_page = _rules_page_for_staff(request, page_id)
    version = request.GET.get("version", "")
    acceptances = rules_acceptances_for_export(
        rules_page=rules_page, version_number=int(version) if version.isdigit() else None
    )
    header = [
        _("Receipt reference"),
        _("Rules"),
        _("Version"),
        _("SHA-256 of the accepted text"),
        _("Family account"),
        _("Guardian"),
        _("Checkbox label"),
        _("Accepted at (UTC)"),
        _("IP address"),
        _("User agent"),
    ]
    rows = (
        [
            acceptance.reference,
            rules_page.title,
            acceptance.version_number,
            acceptance.text_sha256,
            acceptance.user.email,
            acceptance.guardian_name,
            acceptance.checkbox_label,
            acceptance.accepted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            acceptance.ip_address,
            acceptance.user_agent,
        ]
        for acceptance in acceptances.iterator()
    )
    cells = ([spreadsheet.cell(value) for value in row] for row in itertools.chain([header], rows))
    response = HttpResponse(spreadsheet.csv_chunks(cells), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="acceptations-{rules_page.slug}-{stamp}.csv"'
    return response


@require_GET
def receipt(request, reference):
    """An acceptance receipt, for the staff of the council that owns the rules."""
    acceptance = get_object_or_404(
        RulesAcceptance.objects.select_related("version", "rules_page", "user"), reference=reference
    )
    _rules_page_for_staff(request, acceptance.rules_page_id)
    return render(
        request,
        "home/admin/receipt.html",
        {
            "acceptance": acceptance,
            "issuer": council_for_page(acceptance.rules_page),
            "page_title": _("Acceptance receipt"),
            "header_icon": "doc-full",
        },
    )


class CouncilSiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Official name"), max_length=255)
    hostname = forms.CharField(
        label=gettext_lazy("Hostname"), max_length=255, help_text=gettext_lazy("E.g. portail.valmont.fr")
    )
    siret = forms.CharField(label=gettext_lazy("SIRET"), max_length=14)
    insee_code = forms.CharField(label=gettext_lazy("INSEE code"), max_length=5)
    address = forms.CharField(label=gettext_lazy("Postal address"), widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.EmailField(label=gettext_lazy("Contact email"))
    dpo_email = forms.EmailField(label=gettext_lazy("Data protection officer email"))
    colour = forms.CharField(label=gettext_lazy("Primary colour"), initial="#1d4f91", max_length=7)


def council_site_new(request):
    """Superusers create a new council's starter site (the admin twin of ``manage.py create_council_site``)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    form = CouncilSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            council = council_site_create(**form.cleaned_data)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                name = {"official_name": "name", "primary_colour": "colour"}.get(field, field)
                form.add_error(name if name in form.fields else None, messages_)
        else:
            messages.success(request, _("%(name)s: its starter site is ready.") % {"name": council.official_name})
            return redirect("wagtailadmin_explore", council.pk)
    return render(request, "home/admin/council_site_new.html", {"form": form, "header_title": _("New council site")})
