"""Filing a dossier at the counter: an agent fills a form on behalf of a family (in the Wagtail admin).

The agent works on a counter draft of its own (``Draft.agent``): a family's online draft is never read
nor overwritten (the agent is told when the family has one). The family either has an account (the
dossier goes to it) or has none (a paper dossier brought to the town hall: its email is optional, and the
family claims the dossier later by creating an account with that email, see ``paper_dossiers_claim``).
The same services as online apply (``draft_save``, ``draft_prefill``, ``dossier_submit``): same
validation, same API Particulier step with the family's consent given in person, same rules acceptance
evidence. Forms that ask for health data are filed only by agents with the health role of the council.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home.admin_scoping import works_for_council
from home.selectors import council_for_page

from ..engine.display import summary
from ..engine.rendering import definition_for, layout_for, visible_steps
from ..family import selectors, services
from ..family.views import prefill_post, rules_versions_remember, step_fields_html
from ..models import Draft, FormPage

PREFILL_ACTIONS = {"_prefill", "_prefill_refuse", "_prefill_retry"}


def _council_of(page) -> int | None:
    council = council_for_page(page)
    return council.pk if council else None


def _may_file(user, page: FormPage) -> bool:
    """A form of the agent's councils, without health data unless the agent has that council's health role."""
    council = _council_of(page)
    if not works_for_council(user, council, councils_for=lambda staff: selectors.staff_councils(user=staff)):
        return False
    if selectors.form_holds_health_data(form_page=page, definition=definition_for(page)):
        return selectors.can_see_health_data(user=user, council=council)
    return True


class CounterStartForm(forms.Form):
    ACCOUNT, PAPER = "account", "paper"

    form_page = forms.ModelChoiceField(label=gettext_lazy("Form"), queryset=FormPage.objects.none())
    has_account = forms.ChoiceField(
        label=gettext_lazy("Does the family have an online account?"),
        choices=[
            (ACCOUNT, gettext_lazy("Yes: the dossier goes to its family space")),
            (PAPER, gettext_lazy("No: a paper dossier brought to the town hall")),
        ],
        initial=ACCOUNT,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=gettext_lazy("Family's email"),
        required=False,
        help_text=gettext_lazy(
            "The email of its account. Without an account it is optional: the family will find the dossier "
            "in its space once it creates an account with this email and confirms it."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        pages = FormPage.objects.live().filter(access="family").order_by("title")
        self.fields["form_page"].queryset = pages.filter(pk__in=[p.pk for p in pages if _may_file(user, p.specific)])
        self.family = None

    def clean(self):
        data = super().clean()
        email = data.get("email") or ""
        if "email" in self.errors:
            return data
        if email:
            # Only an account that confirmed this address: anyone can sign up with someone else's email.
            self.family = (
                get_user_model()
                .objects.filter(is_staff=False, is_superuser=False, is_active=True)
                .filter(emailaddress__email__iexact=email, emailaddress__verified=True)
                .first()
            )
        if data.get("has_account") == self.ACCOUNT and self.family is None:
            message = (
                _("No family account uses this email address. Without an account, choose the paper dossier.")
                if email
                else _("Give the email of the family's account.")
            )
            self.add_error("email", message)
        return data


def _check_agent(request) -> None:
    if not request.user.has_perm("forms.change_dossier"):
        raise PermissionDenied


def _counter_draft(request, uuid) -> Draft:
    """The agent's own counter draft, of a form the agent may still file (404 otherwise)."""
    _check_agent(request)
    draft = get_object_or_404(Draft.objects.select_related("form_page", "user"), uuid=uuid, agent=request.user)
    if not _may_file(request.user, draft.form_page.specific):
        raise Http404
    return draft


def _step_url(draft: Draft, index: int) -> str:
    return reverse("forms_counter_step", kwargs={"uuid": draft.uuid, "number": index + 1})


def _family_context(draft: Draft) -> dict:
    return {
        "draft": draft,
        "family": draft.user,
        "family_email": draft.user.email if draft.user else draft.family_email,
    }


def counter_start(request):
    """Choose the form and the family (with an account, or on paper); the agent's counter draft starts
    (or resumes)."""
    _check_agent(request)
    form = CounterStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        page = form.cleaned_data["form_page"].specific
        email = form.cleaned_data["email"]
        reason = services.counter_can_file(form_page=page, family=form.family, email=email)
        if reason:
            form.add_error(None, reason)
        else:
            if form.family is not None and form.cleaned_data["has_account"] == form.PAPER:
                messages.info(request, _("A family account uses this email: the dossier goes to that account."))
            draft, family_has_draft = services.counter_draft_for(
                form_page=page, agent=request.user, family=form.family, email="" if form.family else email
            )
            if family_has_draft:
                messages.warning(
                    request,
                    _(
                        "The family has started this form online: its draft stays as it is, untouched. "
                        "Tell the family that it can delete it from its space once this dossier is sent."
                    ),
                )
            shown = visible_steps(definition_for(page), draft.answers, today=timezone.localdate())
            return redirect(_step_url(draft, shown[0] if shown else 0))
    context = {"form": form, "page_title": _("File a dossier at the counter"), "header_icon": "form"}
    return render(request, "forms/admin/counter_start.html", context)


def counter_step(request, uuid, number: int):
    draft = _counter_draft(request, uuid)
    page = draft.form_page.specific
    definition = definition_for(page)
    index = number - 1
    if not 0 <= index < len(definition.steps):
        raise Http404
    layout = layout_for(page, definition, index)
    form = None
    prefill_forms: dict = {}
    if request.method == "POST" and PREFILL_ACTIONS & set(request.POST):
        response, prefill_forms = prefill_post(
            request, page, definition, index, draft, step_url=_step_url(draft, index)
        )
        if response is not None:
            return response
    elif request.method == "POST":
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
            # The version of the rules shown when the box was ticked (checked again at submit).
            rules_versions_remember(page, layout, draft, draft.user or AnonymousUser())
            shown = visible_steps(definition, draft.answers, today=timezone.localdate())
            later = [i for i in shown if i > index]
            if later:
                return redirect(_step_url(draft, later[0]))
            return redirect("forms_counter_submit", uuid=draft.uuid)
    context = {
        **_family_context(draft),
        "step": definition.steps[index],
        "number": number,
        "total": len(definition.steps),
        "step_html": step_fields_html(page, layout, draft, form, draft.user or AnonymousUser(), prefill_forms),
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
    steps = summary(
        definition,
        draft.answers,
        steps=shown,
        file_names=services.draft_file_names(draft),
        include_health=selectors.can_see_health_data(user=request.user, council=_council_of(page)),
    )
    for step in steps:
        step["url"] = _step_url(draft, step["index"])
    context = {
        **_family_context(draft),
        "steps": steps,
        "page_title": _("At the counter: %(form)s") % {"form": page.title},
        "header_icon": "form",
    }
    return render(request, "forms/admin/counter_review.html", context)
