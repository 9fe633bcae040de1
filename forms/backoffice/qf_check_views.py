"""The yearly QF check in the admin: the campaigns of the agent's councils and a form to start one, a
campaign's page (progress while it runs, then the report, the list to act on, decisions one by one or in
bulk) and its CSV/XLSX export.

Every view reads campaigns through ``qf_check.campaigns_for_staff``: another council's campaign answers 404
and staff who are not agents of a council cannot start one there (403). Views call services and hold no rule.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.spreadsheet import cell, csv_chunks

from .exports import xlsx_chunks
from .qf_check import (
    campaigns_for_staff,
    household_name,
    qf_check_apply,
    qf_check_councils,
    qf_check_ignore,
    qf_check_report,
    qf_check_resume,
    qf_check_rows,
    qf_check_start,
)
from .qf_check_models import CampaignStatus, Decision, QFCheckClass

# The classes an agent acts on: apply or ignore a new QF; ask the family for a proof or a new consent.
TO_ACT_ON = [value for value in QFCheckClass.values if value != QFCheckClass.UNCHANGED]


class CampaignStartForm(forms.Form):
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=None, empty_label=None)
    month = forms.DateField(
        label=gettext_lazy("Reference month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("The month whose QF the CAF or MSA gives (not in the future)."),
        error_messages={"invalid": gettext_lazy("Enter a month such as 2026-02.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = qf_check_councils(user=user)

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(_("The month cannot be in the future."))
        return month


def campaigns_index(request):
    councils = qf_check_councils(user=request.user)
    if not councils.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = CampaignStartForm(request.POST, user=request.user)
        if form.is_valid():
            campaign = qf_check_start(
                council=form.cleaned_data["council"], month=form.cleaned_data["month"], by=request.user
            )
            messages.success(request, _("The yearly QF check has started."))
            return redirect("forms_qf_check", campaign.pk)
    else:
        form = CampaignStartForm(user=request.user, initial={"month": timezone.localdate().replace(day=1)})
    return render(
        request,
        "forms/qf_check/index.html",
        {"page_title": _("Yearly QF check"), "header_icon": "tasks", "form": form,
         "campaigns": campaigns_for_staff(user=request.user)[:50]},
    )  # fmt: skip


def _campaign_for(request, pk: int):
    return get_object_or_404(campaigns_for_staff(user=request.user), pk=pk)


def campaign_detail(request, pk: int):
    campaign = _campaign_for(request, pk)
    shown = request.GET.get("classe", "")
    items = campaign.items.filter(outcome__in=[shown] if shown in TO_ACT_ON else TO_ACT_ON)
    items = items.select_related("household").prefetch_related("household__guardians").order_by("outcome", "pk")
    rows = [{"item": item, "name": household_name(item.household)} for item in items[:500]]
    report = qf_check_report(campaign=campaign)
    running = campaign.status != CampaignStatus.DONE
    return render(
        request,
        "forms/qf_check/detail.html",
        {
            "page_title": _("Yearly QF check of %(month)s – %(council)s")
            % {"month": f"{campaign.month:%m/%Y}", "council": campaign.council.official_name},
            "header_icon": "tasks",
            "campaign": campaign,
            "running": running,
            "report": report,
            "largest": max([row["count"] for row in report["classes"]] + [1]),
            "rows": rows,
            "shown": shown,
            "filters": [row for row in report["classes"] if row["outcome"] in TO_ACT_ON and row["count"]],
            "pending": Decision.PENDING,
        },
    )


@require_POST
def campaign_decide(request, pk: int):
    """Apply or ignore the selected lines (one button per line, or the bulk buttons)."""
    campaign = _campaign_for(request, pk)
    action = request.POST.get("action", "")
    if action.startswith(("apply:", "ignore:")):
        action, _sep, item_id = action.partition(":")
        ids = [item_id]
    else:
        ids = request.POST.getlist("items")
    if action not in ("apply", "ignore") or not ids:
        messages.error(request, _("Select at least one line, then apply or ignore."))
        return redirect("forms_qf_check", campaign.pk)
    items = campaign.items.filter(pk__in=[value for value in ids if value.isdigit()])
    done, refused = 0, 0
    for item in items:
        try:
            if action == "apply":
                qf_check_apply(item=item, by=request.user)
            else:
                qf_check_ignore(item=item, by=request.user)
            done += 1
        except ValidationError:
            refused += 1
    if done:
        text = _("%(count)s new QF applied: prices follow.") if action == "apply" else _("%(count)s lines ignored.")
        messages.success(request, text % {"count": done})
    if refused:
        messages.warning(request, _("%(count)s lines had nothing to decide.") % {"count": refused})
    return redirect(f"{reverse('forms_qf_check', args=[campaign.pk])}#a-traiter")


@require_POST
def campaign_resume(request, pk: int):
    campaign = _campaign_for(request, pk)
    qf_check_resume(campaign=campaign)
    messages.success(request, _("The check continues where it stopped."))
    return redirect("forms_qf_check", campaign.pk)


def campaign_export(request, pk: int, fmt: str):
    campaign = _campaign_for(request, pk)
    rows = ([cell(value) for value in row] for row in qf_check_rows(campaign=campaign))
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = StreamingHttpResponse(
            xlsx_chunks(rows, title=_("QF check")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    stamp = datetime.date.strftime(campaign.month, "%Y-%m")
    response["Content-Disposition"] = f'attachment; filename="verification-qf-{stamp}-{campaign.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
