"""Filing a dossier at the counter: an agent fills a form on behalf of a family (in the Wagtail admin).

The draft belongs to the family's account (it appears in its space too); the dossier is marked
``submitted_by_agent`` and its first history line names the agent. The same services as online apply
(``draft_save``, ``dossier_submit``): same validation, same rules acceptance evidence (the family's
account, the guardian's name typed at the counter).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .display import summary
from .models import Draft, FormPage
from .rendering import definition_for, layout_for, visible_steps


class CounterStartForm(forms.Form):
    form_page = forms.ModelChoiceField(label=gettext_lazy("Form"), queryset=FormPage.objects.none())
    email = forms.EmailField(
        label=gettext_lazy("Email of the family account"),
        help_text=gettext_lazy("The family must have created its account (it will follow the dossier there)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        councils = selectors.staff_councils(user=user)
        pages = FormPage.objects.live().filter(access="family")
        self.fields["form_page"].queryset = pages.filter(
            pk__in=[page.pk for page in pages if _council_of(page) in set(councils.values_list("pk", flat=True))]
        ).order_by("title")

    def clean_email(self):
        email = self.cleaned_data["email"]
        family = get_user_model().objects.filter(email__iexact=email, is_staff=False, is_superuser=False).first()
        if family is None:
            raise forms.ValidationError(_("No family account uses this email address."))
        self.family = family
        return email


def _council_of(page) -> int | None:
    from home.selectors import council_for_page

    council = council_for_page(page)
    return council.pk if council else None


def _check_agent(request) -> None:
    if not request.user.has_perm("forms.change_dossier"):
        raise PermissionDenied


def _counter_draft(request, uuid) -> Draft:
    """A family's draft of a form of the agent's councils (404 otherwise)."""
    _check_agent(request)
    draft = get_object_or_404(Draft.objects.select_related("form_page", "user"), uuid=uuid, user__isnull=False)
    if not selectors.staff_councils(user=request.user).filter(pk=_council_of(draft.form_page)).exists():
        raise Http404
    return draft


def _step_url(draft: Draft, index: int) -> str:
    return reverse("forms_counter_step", kwargs={"uuid": draft.uuid, "number": index + 1})


def counter_start(request):
    """Choose the form and the family; a draft of the family's account is started (or resumed)."""
    _check_agent(request)
    form = CounterStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        page = form.cleaned_data["form_page"].specific
        reason = services.form_can_start(form_page=page, user=form.family)
        if reason:
            form.add_error(None, reason)
        else:
            draft = services.draft_for(form_page=page, user=form.family, create=True)
            shown = visible_steps(definition_for(page), draft.answers, today=timezone.localdate())
            return redirect(_step_url(draft, shown[0] if shown else 0))
    context = {"form": form, "page_title": _("File a dossier at the counter"), "header_icon": "form"}
    return render(request, "forms/admin/counter_start.html", context)


def counter_step(request, uuid, number: int):
    from .views import _step_html

    draft = _counter_draft(request, uuid)
    page = draft.form_page.specific
    definition = definition_for(page)
    index = number - 1
    if not 0 <= index < len(definition.steps):
        raise Http404
    layout = layout_for(page, definition, index)
    form = None
    if request.method == "POST":
        try:
            draft = services.draft_save(
                form_page=page, user=draft.user, step=index, data=request.POST, files=request.FILES, draft=draft
            )
        except services.StepInvalid as invalid:
            draft, form = invalid.draft, invalid.form
        add, remove = request.POST.get("_add"), request.POST.get("_remove")
        if add in layout.groups:
            services.draft_apply_group_action(draft=draft, group_key=add, add=True)
            return HttpResponseRedirect(_step_url(draft, index))
        if remove:
            group, _sep, position = remove.rpartition("-")
            if group in layout.groups and position.isdigit():
                services.draft_apply_group_action(draft=draft, group_key=group, add=False, index=int(position))
            return HttpResponseRedirect(_step_url(draft, index))
        if form is None:
            shown = visible_steps(definition, draft.answers, today=timezone.localdate())
            later = [i for i in shown if i > index]
            if later:
                return redirect(_step_url(draft, later[0]))
            return redirect("forms_counter_submit", uuid=draft.uuid)
    context = {
        "draft": draft,
        "family": draft.user,
        "step": definition.steps[index],
        "number": number,
        "total": len(definition.steps),
        "step_html": _step_html(page, layout, draft, form, draft.user),
        "errors": form.error_list() if form is not None else [],
        "page_title": _("At the counter: %(form)s") % {"form": page.title},
        "header_icon": "form",
    }
    return render(request, "forms/admin/counter_step.html", context)


def counter_submit(request, uuid):
    """Check the answers with the family, then send: the dossier is marked as filed by this agent."""
    draft = _counter_draft(request, uuid)
    page = draft.form_page.specific
    if request.method == "POST":
        meta = {
            "ip_address": request.META.get("REMOTE_ADDR"),
            "user_agent": request.META.get("HTTP_USER_AGENT", ""),
            "agent": request.user,
        }
        try:
            dossier = services.dossier_submit(draft=draft, request_meta=meta)
        except services.DossierIncomplete as incomplete:
            messages.error(request, _("Some answers are missing or need checking."))
            return redirect(_step_url(draft, incomplete.step - 1))
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("forms_counter")
        messages.success(request, _("Dossier %(reference)s sent for the family.") % {"reference": dossier.reference})
        return redirect("forms_dossier", pk=dossier.pk)
    definition = definition_for(page)
    shown = visible_steps(definition, draft.answers, today=timezone.localdate())
    steps = summary(definition, draft.answers, steps=shown, file_names=services.draft_file_names(draft))
    for step in steps:
        step["url"] = _step_url(draft, step["index"])
    context = {
        "draft": draft,
        "family": draft.user,
        "steps": steps,
        "page_title": _("At the counter: %(form)s") % {"form": page.title},
        "header_icon": "form",
    }
    return render(request, "forms/admin/counter_review.html", context)
