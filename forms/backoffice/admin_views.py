"""The agents' back-office in the Wagtail admin: dossiers list (filters, saved filters, exports), a dossier
(answers, files, history, notes, corrections, validation, prices, PDF) and its actions.

Every view reads dossiers through ``selectors.dossiers_for_staff``: another council's dossier answers 404,
whatever id is typed. Actions need ``forms.change_dossier``; exports ``forms.export_dossiers``; health
data the health role of the dossier's council. Views call ``workflow`` services and hold no rule.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connectors.selectors import consents_for_staff

from ..engine.display import summary
from ..engine.rendering import visible_steps
from ..family import corrections, pricing, selectors
from ..family.household_views import household_refused_from_post, household_staff_context
from ..models import DossierStatus, SavedFilter
from . import exports, provenance, workflow
from .backoffice_forms import (
    AssignForm,
    CommentForm,
    CorrectionRequestForm,
    NoteForm,
    SavedFilterForm,
    ValidateForm,
)
from .names import child_name

S = DossierStatus


@require_POST
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    query = request.POST.get("query", "")[:1000]
    if form.is_valid():
        SavedFilter.objects.update_or_create(
            user=request.user, name=form.cleaned_data["name"], defaults={"query": query}
        )
        messages.success(request, _("Filter saved."))
    return redirect(f"{reverse('forms_dossiers')}?{query}")


@require_POST
def saved_filter_delete(request, pk: int):
    get_object_or_404(SavedFilter, pk=pk, user=request.user).delete()
    messages.success(request, _("Filter deleted."))
    return redirect("forms_dossiers")


def _dossier_for(request, pk: int):
    return get_object_or_404(selectors.dossiers_for_staff(user=request.user), pk=pk)


def _reading(request, dossier) -> dict:
    """What the agent may read of a dossier: answers (without health data unless allowed), files, history."""
    health_allowed = selectors.can_see_health_data(user=request.user, council=dossier.council_id)
    show_answers = health_allowed or not dossier.is_health_data
    files = list(dossier.files.all().order_by("uploaded_at", "pk"))
    if not health_allowed:
        files = [stored for stored in files if not (stored.health or dossier.is_health_data)]
    steps = []
    if show_answers:
        definition = dossier.get_definition()
        steps = summary(
            definition,
            dossier.answers,
            steps=visible_steps(definition, dossier.answers, today=dossier.submitted_at.date()),
            file_names={str(stored.uuid): stored.original_name for stored in files},
            file_url=lambda token: reverse("forms:file_download", kwargs={"uuid": token}),
            include_health=health_allowed,
        )
    events = list(dossier.events.select_related("actor"))
    if not show_answers:
        for event in events:  # comments on a health form's dossier may speak of the child's health
            event.comment = ""
    return {
        "steps": steps,
        "files": files,
        "health_allowed": health_allowed,
        "show_answers": show_answers,
        "events": events,
        "corrections": corrections.correction_changes(dossier=dossier, include_health=health_allowed),
        "provenance": provenance.dossier_provenance(dossier=dossier, include_health=health_allowed),
        "child_name": child_name(dossier) if show_answers else "",
    }


@require_GET
def dossier_detail(request, pk: int):
    dossier = _dossier_for(request, pk)
    reading = _reading(request, dossier)
    can_act = selectors.can_act_on_dossier(user=request.user, dossier=dossier)
    allowed = workflow.allowed_transitions(dossier.status)
    targets = workflow.correction_targets(dossier=dossier, include_health=reading["health_allowed"])
    household = household_staff_context(dossier=dossier, health_allowed=reading["health_allowed"])
    context = {
        **reading,
        "page_title": " – ".join(
            part for part in (dossier.reference, dossier.form_page.title, reading["child_name"]) if part
        ),
        "header_icon": "folder-open-inverse",
        "dossier": dossier,
        "can_act": can_act,
        "can_export": selectors.can_export(user=request.user),
        "notes": dossier.notes.select_related("author") if can_act else [],
        "note_form": NoteForm(),
        "assign_form": AssignForm(council=dossier.council, initial={"agent": str(dossier.assigned_to_id or "")}),
        "can_review": S.UNDER_REVIEW in allowed and dossier.status != S.CORRECTION_REQUESTED,
        "can_correct": S.CORRECTION_REQUESTED in allowed,
        "can_validate": S.VALIDATED in allowed,
        "can_refuse": S.REFUSED in allowed,
        "can_close": S.CLOSED in allowed,
        "can_withdraw": dossier.status == S.CORRECTION_REQUESTED,
        "correction_form": CorrectionRequestForm(targets=targets),
        "validate_form": ValidateForm(
            initial={"qf": dossier.qf if dossier.qf_source == "" else None},
            derived_case=pricing.dossier_case_derive(dossier=dossier),
            derived_residence=pricing.dossier_residence_derive(dossier=dossier),
        ),
        "comment_form": CommentForm(),
        "checks": workflow.validation_checks(dossier=dossier) if S.VALIDATED in allowed else [],
        "pricing_preview": (
            pricing.dossier_prices_compute(dossier=dossier)
            if S.VALIDATED in allowed and dossier.form_page.specific.priced_services.strip()
            else {}
        ),
        "notifications": dossier.notifications.all()[:20],
        **household,
        "household_consents": household_consents(
            request, dossier=dossier, accounts=household.get("staff_household_accounts")
        ),
    }
    return render(request, "forms/admin/dossier_detail.html", context)


def household_consents(request, *, dossier, accounts) -> list | None:
    """The consents to API Particulier the household's accounts (else the dossier's family) gave to the
    dossier's council, with their text version and date; None when the agent may not read consents."""
    if not request.user.has_perm("connectors.view_consent"):
        return None
    families = accounts or ([dossier.family] if dossier.family else [])
    return [
        consent
        for family in families
        for consent in consents_for_staff(user=request.user, family=family).filter(council=dossier.council_id)
    ]


@require_POST
def dossier_action(request, pk: int, action: str):
    """One action on a dossier (POST): review, note, assign, correction, validate, refuse, close, withdraw."""
    dossier = _dossier_for(request, pk)
    if not selectors.can_act_on_dossier(user=request.user, dossier=dossier):
        raise PermissionDenied
    user = request.user
    back = redirect("forms_dossier", pk=dossier.pk)
    try:
        if action == "review":
            workflow.dossier_review_start(dossier=dossier, by=user)
            messages.success(request, _("The dossier is now under review."))
        elif action == "note":
            form = NoteForm(request.POST)
            if form.is_valid():
                workflow.dossier_note_add(dossier=dossier, by=user, text=form.cleaned_data["text"])
                messages.success(request, _("Note added."))
        elif action == "assign":
            form = AssignForm(request.POST, council=dossier.council)
            if form.is_valid():
                agent = form.agents.get(form.cleaned_data["agent"])
                workflow.dossier_assign(dossier=dossier, to=agent, by=user)
                messages.success(request, _("Assignment saved."))
        elif action == "correction":
            health = selectors.can_see_health_data(user=user, council=dossier.council_id)
            targets = workflow.correction_targets(dossier=dossier, include_health=health)
            form = CorrectionRequestForm(request.POST, targets=targets)
            if not form.is_valid():
                messages.error(request, " ".join(form.non_field_errors()) or _("Check the correction request."))
                return back
            workflow.dossier_request_correction(
                dossier=dossier,
                by=user,
                items=form.items(),
                message=form.cleaned_data["message"],
                include_health=health,
            )
            messages.success(request, _("The correction request has been sent to the family."))
        elif action == "validate":
            form = ValidateForm(request.POST)
            if not form.is_valid():
                errors = [message for messages_ in form.errors.values() for message in messages_]
                messages.error(request, " ".join([str(_("Check the validation form.")), *errors]))
                return back
            data = form.cleaned_data
            workflow.dossier_validate(
                dossier=dossier,
                by=user,
                comment=data["comment"],
                qf=data["qf"],
                qf_month=data["qf_month"].replace(day=1) if data["qf_month"] else None,
                qf_provider=data["qf_provider"],
                maximum_tariff=data["maximum_tariff"],
                resident=form.resident(),
                case=data["case"],
                pricing_reason=data["pricing_reason"],
                override=data["override"],
                household_refused=household_refused_from_post(request.POST),
            )
            messages.success(request, _("The dossier is validated."))
        elif action in ("refuse", "close", "withdraw"):
            form = CommentForm(request.POST)
            form.is_valid()
            target = {"refuse": S.REFUSED, "close": S.CLOSED, "withdraw": S.UNDER_REVIEW}[action]
            workflow.dossier_transition(
                dossier=dossier, to=target, by=user, comment=form.cleaned_data.get("comment", "")
            )
            messages.success(request, _("Status changed."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back


@require_GET
def dossier_pdf(request, pk: int):
    dossier = _dossier_for(request, pk)
    reading = _reading(request, dossier)
    content = exports.dossier_pdf(
        dossier=dossier,
        steps=reading["steps"],
        files=reading["files"],
        events=reading["events"],
        corrections=reading["corrections"],
        provenance=reading["provenance"],
        child=reading["child_name"],
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{dossier.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
