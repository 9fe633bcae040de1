"""Views of the ``forms`` app: filling a form step by step, and the family space.

The form routes (start, steps, check your answers, confirmation) are reached through ``FormPage``'s
routes; the family space and file downloads through ``forms/urls.py``. Views call services and
selectors; they hold no business rule of their own.
"""

import datetime
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from common.memo import remembered
from connectors.forms import PrefillConsentForm
from home.selectors import (
    council_for_page,
    council_for_request,
    rules_acceptance_status,
    rules_in_force,
    rules_pages_to_accept_again,
)

from ..engine import roles
from ..engine.display import summary
from ..engine.fieldtypes import PrefillType, RulesType, field_type
from ..engine.rendering import (
    EMPTY_STEPS,
    StepForm,
    definition_for,
    entries_visibility,
    layout_for,
    revision_key,
    visible_steps,
)
from ..models import FormPage
from . import corrections, selectors, services
from .child_forms import dossier_child_name
from .household_views import child_choice_context, child_start, household_dashboard
from .notifications import declared_qf_notice
from .pricing import dossier_prices_estimate, draft_prices_estimate
from .renewal import draft_renew, renewal_overview, renewal_source, renewal_steps

SESSION_DRAFTS = "forms_drafts"
SESSION_SENT = "forms_sent"
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def _today() -> datetime.date:
    return timezone.localdate()


def _page_path(page: FormPage) -> str:
    """The page's path on its own site: the form is always served on its council's hostname and port,
    so redirects stay relative (``page.url`` is absolute, with the site's default port, when several
    sites exist). Remembered until the page tree changes."""
    return remembered("page_path", page.pk, lambda: page.get_url_parts()[2])


def _page_url(page: FormPage, route: str = "start", **kwargs) -> str:
    return _page_path(page) + page.reverse_subpage(route, kwargs=kwargs or None)


def _step_url(page: FormPage, index: int) -> str:
    return _page_url(page, "step", number=index + 1)


def _login_url(request) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"


def _draft(request, page: FormPage, *, create: bool = False):
    """The visitor's draft of this form: by account, or for anonymous forms by the uuid in the session."""
    drafts = request.session.get(SESSION_DRAFTS, {})
    draft = services.draft_for(form_page=page, user=request.user, draft_uuid=drafts.get(str(page.pk)), create=create)
    if draft is not None and not request.user.is_authenticated and drafts.get(str(page.pk)) != str(draft.uuid):
        request.session[SESSION_DRAFTS] = {**drafts, str(page.pk): str(draft.uuid)}
    return draft


def _refuse(request, page: FormPage):
    """A response when the visitor may not fill the form now, else None."""
    reason = services.form_can_start(form_page=page, user=request.user)
    if reason is None:
        return None
    if page.access == "family" and not request.user.is_authenticated:
        return redirect(_login_url(request))
    return redirect(_page_path(page))


def _request_meta(request) -> dict:
    return {"ip_address": request.META.get("REMOTE_ADDR"), "user_agent": request.META.get("HTTP_USER_AGENT", "")}


def _progress(definition, answers, index: int) -> dict:
    shown = visible_steps(definition, answers, today=_today())
    position = shown.index(index) + 1 if index in shown else 1
    return {"current": position, "total": len(shown), "shown": shown}


@never_cache
def form_start(request, page: FormPage):
    """The form's start page: what it is for, what to prepare, and start or resume."""
    definition = definition_for(page)
    reason = services.form_can_start(form_page=page, user=request.user)
    draft = _draft(request, page) if reason is None else None
    if request.method == "POST":
        if reason is not None:
            return _refuse(request, page)
        draft = _draft(request, page, create=True)
        child_start(request, page=page, definition=definition, draft=draft)  # a form about a child (issue 17)
        shown = visible_steps(definition, draft.answers, today=_today())
        return redirect(_step_url(page, shown[0] if shown else 0))
    context = {
        "page": page,
        "definition": definition,
        "reason": reason,
        "draft": draft,
        "login_url": _login_url(request),
        "resume_url": _resume_url(page, definition, draft) if draft else "",
        **(child_choice_context(request, page=page, definition=definition) if reason is None and not draft else {}),
    }
    return render(request, "forms/form_page.html", context)


def _resume_url(page: FormPage, definition, draft) -> str:
    if draft.furthest_step > len(definition.steps):
        return _page_url(page, "review")
    return _step_url(page, draft.furthest_step - 1)


def _rules_context(page: FormPage, layout, user) -> dict:
    """For each rules acceptance of the step: the version in force and the family's status."""
    extra = {}
    for spec in (entry.spec for entry in layout.entries if entry.spec["type"] == RulesType.name):
        rules_page, version = rules_in_force(rules_page_id=spec["rules_page"])
        extra[spec["key"]] = {
            "rules_page": rules_page,
            "version": version,
            "status": rules_acceptance_status(rules_page=rules_page, user=user) if rules_page else "never",
        }
    return extra


@never_cache
def form_step(request, page: FormPage, number: int):
    """One step: shown with the draft's answers; on POST validated, saved, then the next step."""
    definition = definition_for(page)
    index = number - 1
    if not 0 <= index < len(definition.steps):
        raise Http404
    refused = _refuse(request, page)
    if refused is not None:
        return refused
    draft = _draft(request, page)
    if draft is None:
        return redirect(_page_path(page))
    shown = visible_steps(definition, draft.answers, today=_today())
    if index not in shown:
        later = [i for i in shown if i > index]
        return redirect(_step_url(page, later[0]) if later else _page_url(page, "review"))
    layout = layout_for(page, definition, index)
    form = None
    prefill_forms: dict = {}
    if request.method == "POST" and {"_prefill", "_prefill_refuse", "_prefill_retry"} & set(request.POST):
        response, prefill_forms = prefill_post(request, page, definition, index, draft)
        if response is not None:
            return response
    elif request.method == "POST":
        action_add, action_remove = request.POST.get("_add"), request.POST.get("_remove")
        try:
            draft = services.draft_save(
                form_page=page, user=request.user, step=index, data=request.POST, files=request.FILES, draft=draft
            )
        except services.StepInvalid as invalid:
            draft, form = invalid.draft, invalid.form
        if action_add or action_remove:
            group, _sep, position = (action_remove or "").rpartition("-")
            if action_add in layout.groups:
                services.draft_apply_group_action(draft=draft, group_key=action_add, add=True)
            elif group in layout.groups and position.isdigit():
                services.draft_apply_group_action(draft=draft, group_key=group, add=False, index=int(position))
            return HttpResponseRedirect(f"{_step_url(page, index)}#group-{action_add or group}")
        if form is None:
            rules_versions_remember(page, layout, draft, request.user)
            if request.POST.get("retour") == "verifier":
                return redirect(_page_url(page, "review"))
            shown = visible_steps(definition, draft.answers, today=_today())
            asked = renewal_steps(draft=draft, definition=definition)  # a renewal asks only what changed
            later = [i for i in shown if i > index and (asked is None or i in asked)]
            return redirect(_step_url(page, later[0]) if later else _page_url(page, "review"))
    step_html = step_fields_html(page, layout, draft, form, request.user, prefill_forms)
    context = {
        "page": page,
        "step": definition.steps[index],
        "progress": _progress(definition, draft.answers, index),
        "step_html": step_html,
        "errors": form.error_list() if form is not None else _prefill_errors(prefill_forms),
        "draft": draft,
        "expiry": date_format(timezone.localtime(draft.expires_at), "j F Y"),
        "back_to_review": request.GET.get("retour") == "verifier" or request.POST.get("retour") == "verifier",
        "previous_url": _previous_url(page, definition, draft, index),
    }
    return render(request, "forms/form_step.html", context)


def _extra_context(page: FormPage, layout, draft, user, prefill_forms) -> dict:
    """Per-request context of rules and prefill blocks (what the cached HTML cannot hold)."""
    if layout.is_cacheable_html:
        return {}
    return {**_rules_context(page, layout, user), **_prefill_context(page, layout, draft, prefill_forms)}


def step_fields_html(page: FormPage, layout, draft, form, user, prefill_forms=None):
    """The step's fields: the cached empty HTML when nothing is typed yet, else rendered with the values."""
    if form is not None:
        return form.render(extra=_extra_context(page, layout, draft, user, prefill_forms))
    keys = {entry.spec.get("key") for entry in layout.entries} - {None}
    locked = services.locked_values(draft)
    fresh = not any(key in draft.answers for key in keys) and not locked
    today = _today()
    if fresh and layout.is_cacheable_html and revision_key(page) is not None:
        answers = draft.answers
        visible = entries_visibility(layout, dict(answers), today=today, peek=lambda e: answers.get(e.spec.get("key")))
        hidden = tuple(position for position, shown in visible.items() if not shown)
        cache_key = (revision_key(page), layout.index, hidden, today)
        return EMPTY_STEPS.get_or_build(cache_key, lambda: StepForm(layout, answers=answers, today=today).render())
    file_names = services.draft_file_names(draft) if _has_files(layout) else {}
    unbound = StepForm(layout, answers=draft.answers, file_names=file_names, today=today, locked=locked)
    return unbound.render(extra=_extra_context(page, layout, draft, user, prefill_forms))


def _prefill_offer(page: FormPage, spec):
    council = council_for_page(page)
    return council, services.prefill_provider(spec).offer(council=council, keys=services.prefill_keys(spec))


def _prefill_context(page: FormPage, layout, draft, prefill_forms) -> dict:
    """For each prefill block: the offer (notice), its two forms (unticked opt-in, identity) and the outcome."""
    extra = {}
    for entry in layout.entries:
        spec = entry.spec
        if spec["type"] != PrefillType.name:
            continue
        _council, offer = _prefill_offer(page, spec)
        forms_ = (prefill_forms or {}).get(spec["key"]) or {}
        # Trying again after a failure: what the family typed and ticked comes back.
        typed = services.prefill_typed(draft=draft, spec=spec)
        consent_initial = {"consent": True} if typed else None
        extra[spec["key"]] = {
            "offer": offer,
            "state": draft.prefill.get(spec["key"]),
            "consent_form": forms_.get("consent")
            or (PrefillConsentForm(offer=offer, prefix="prefill", initial=consent_initial) if offer else None),
            "identity_form": forms_.get("identity")
            or services.prefill_provider(spec).identity_form(prefix="prefill", initial=typed),
        }
    return extra


def prefill_post(request, page: FormPage, definition, index: int, draft, step_url: str = ""):
    """The prefill buttons: fetch with consent (or refuse), then show the step again with the outcome.

    Online the family consents for itself; at the counter (``step_url`` of the counter step) the family
    consents in person and the agent ticks the box with it: the consent is the family's (``draft.user``)."""
    key = request.POST.get("_prefill") or request.POST.get("_prefill_refuse") or request.POST.get("_prefill_retry")
    spec = next((s for s in services.prefill_specs(definition, index) if s["key"] == key), None)
    if spec is None or not request.user.is_authenticated:
        raise Http404
    url = f"{step_url or _step_url(page, index)}#prefill-{key}"
    if "_prefill_refuse" in request.POST:
        services.draft_prefill_refuse(draft=draft, spec=spec)
        return HttpResponseRedirect(url), {}
    if "_prefill_retry" in request.POST:
        services.draft_prefill_retry(draft=draft, spec=spec)
        return HttpResponseRedirect(url), {}
    council, offer = _prefill_offer(page, spec)
    if offer is None:
        return HttpResponseRedirect(url), {}
    consent_form = PrefillConsentForm(request.POST, offer=offer, prefix="prefill")
    identity_form = services.prefill_provider(spec).identity_form(request.POST, prefix="prefill")
    if not (consent_form.is_valid() and identity_form.is_valid()):
        return None, {key: {"consent": consent_form, "identity": identity_form}}
    services.draft_prefill(
        draft=draft,
        spec=spec,
        identity=identity_form.identity(),
        consent_text_version=consent_form.cleaned_data["text_version"],
        council=council,
        typed=identity_form.typed_values(),
    )
    return HttpResponseRedirect(url), {}


def _prefill_errors(prefill_forms: dict) -> list[dict[str, str]]:
    """The errors of the prefill forms (identity, consent box) for the error summary at the top of the step,
    in page order, each linking to its field."""
    items = []
    for forms_ in prefill_forms.values():
        for form in (forms_["identity"], forms_["consent"]):
            for bound in form:
                for message in bound.errors:
                    # A box's label is a whole sentence: its message alone says what to do.
                    label = "" if bound.widget_type == "checkbox" else bound.label
                    items.append({"id": bound.id_for_label or bound.auto_id, "label": label, "message": message})
    return items


def _has_files(layout) -> bool:
    specs = [entry.spec for entry in layout.entries]
    specs += [entry.spec for group in layout.groups.values() for entry in group.entries]
    return any(field_type(spec).holds_file for spec in specs)


def rules_versions_remember(page: FormPage, layout, draft, user) -> None:
    """Keep with a rules acceptance the version shown when the box was ticked (checked again at submit)."""
    if layout.is_cacheable_html:
        return
    changed = False
    for key, info in _rules_context(page, layout, user).items():
        answer = draft.answers.get(key)
        if answer and info["version"] is not None:
            answer["version"] = info["version"].number
            changed = True
    if changed:
        draft.save(update_fields=["answers"])


def _previous_url(page: FormPage, definition, draft, index: int) -> str:
    shown = visible_steps(definition, draft.answers, today=_today())
    earlier = [i for i in shown if i < index]
    return _step_url(page, earlier[-1]) if earlier else _page_path(page)


@never_cache
def form_review(request, page: FormPage):
    """Check your answers, with a link back to each step; POST sends the dossier."""
    if request.method == "POST" and _draft(request, page) is None:
        # The draft is gone: it was sent by the first click (or in another tab). Show what was sent.
        sent = _sent_before(request, page)
        if sent is not None:
            return _show_sent(request, page, sent)
    refused = _refuse(request, page)
    if refused is not None:
        return refused
    draft = _draft(request, page)
    if draft is None:
        return redirect(_page_path(page))
    definition = definition_for(page)
    if request.method == "POST":
        try:
            dossier = services.dossier_submit(draft=draft, request_meta=_request_meta(request))
        except services.AlreadySent as sent:
            return _show_sent(request, page, sent.dossier)
        except services.DossierIncomplete as incomplete:
            messages.error(request, _("Some answers are missing or need checking. Please complete this step."))
            return redirect(_step_url(page, incomplete.step - 1))
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect(_page_path(page))
        if not request.user.is_authenticated:  # a family finds its dossiers by its account
            sent = request.session.get(SESSION_SENT, [])
            request.session[SESSION_SENT] = [*sent[-9:], dossier.reference]
        return redirect(_page_url(page, "confirmation", reference=dossier.reference))
    shown = visible_steps(definition, draft.answers, today=_today())
    steps = summary(definition, draft.answers, steps=shown, file_names=services.draft_file_names(draft))
    qf_key = definition.key_with_role(roles.FAMILY_QF)
    for step in steps:
        step["url"] = f"{_step_url(page, step['index'])}?retour=verifier"
        for row in step["rows"]:
            if qf_key and row["key"] == qf_key and row["value"] and qf_key not in draft.provenance:
                row["note"] = declared_qf_notice(draft.answers.get(qf_key))
    context = {"page": page, "steps": steps, "draft": draft, "prices": draft_prices_estimate(draft=draft)}
    return render(request, "forms/form_review.html", context)


def _sent_before(request, page: FormPage):
    """The visitor's latest dossier of this form: by account, or by the references kept in the session."""
    if request.user.is_authenticated:
        return services.dossier_latest(form_page=page, user=request.user)
    return page.dossiers.filter(reference__in=request.session.get(SESSION_SENT, [])).order_by("-pk").first()


def _show_sent(request, page: FormPage, dossier):
    """A second "send" of a draft already sent: the confirmation of the dossier it became, nothing new."""
    if dossier is None:
        return redirect(_page_path(page))
    messages.info(request, _("This dossier had already been sent: here is its confirmation."))
    return redirect(_page_url(page, "confirmation", reference=dossier.reference))


@never_cache
def form_confirmation(request, page: FormPage, reference: str):
    """The confirmation page with the reference (only for whoever sent it)."""
    dossier = page.dossiers.filter(reference=reference).first()
    allowed = dossier is not None and (
        (request.user.is_authenticated and dossier.family_id == request.user.pk)
        or reference in request.session.get(SESSION_SENT, [])
    )
    if not allowed:
        raise Http404
    context = {"page": page, "dossier": dossier, "prices": dossier_prices_estimate(dossier=dossier)}
    return render(request, "forms/form_confirmation.html", context)


def form_preview(request, page: FormPage):
    """Wagtail's preview: every step, empty, as families will see it (nothing can be sent)."""
    page.is_preview = True
    definition = page.build_definition()
    steps = []
    for index, step in enumerate(definition.steps):
        layout = layout_for(page, definition, index)
        steps.append({"step": step, "html": StepForm(layout, answers={}, today=_today()).render()})
    return render(request, "forms/form_preview.html", {"page": page, "steps": steps})


# Family space ------------------------------------------------------------------------------


@never_cache
@login_required
def family_space(request):
    """Mon espace famille: drafts (with their expiry), sent dossiers (with their status), renewals offered."""
    council = council_for_request(request)
    # The space of the site's council only: each council's family space is its own (issue 17).
    drafts = list(selectors.drafts_for_family(user=request.user, council=council)) if council is not None else []
    for draft in drafts:
        draft.resume_url = draft.form_page.specific.get_url(request) if draft.form_page.live else ""
    dossiers = list(selectors.dossiers_for_family(user=request.user).filter(council=council))
    for dossier in dossiers:
        dossier.child_name = dossier_child_name(dossier)
    drafted = {draft.form_page_id for draft in drafts}
    renewals = []
    for page in FormPage.objects.live().filter(renewable=True, pk__in={d.form_page_id for d in dossiers}):
        source = renewal_source(form_page=page, user=request.user)
        if source is not None and page.pk not in drafted and page.is_open():
            renewals.append({"page": page, "source": source})
    new_rules = [
        {"page": page, "accept_url": page.get_url(request) + page.reverse_subpage("accept")}
        for page in (rules_pages_to_accept_again(council=council, user=request.user) if council else [])
    ]
    context = {"drafts": drafts, "dossiers": dossiers, "renewals": renewals, "new_rules": new_rules}
    context.update(household_dashboard(request, council))
    return render(request, "forms/family_space.html", context)


@never_cache
@login_required
def family_dossier(request, uuid):
    """A sent dossier as the family sent it: status, public history, prices, and the correction asked for
    (a form with only the answers to fix; everything else stays read-only)."""
    dossier = get_object_or_404(selectors.dossiers_for_family(user=request.user), uuid=uuid)
    correction = corrections.open_correction(dossier=dossier)
    correction_form = None
    if correction is not None:
        correction_form = corrections.CorrectionForm(dossier=dossier, correction=correction)
        if request.method == "POST":
            try:
                corrections.dossier_correction_submit(
                    dossier=dossier, user=request.user, data=request.POST, files=request.FILES
                )
            except ValidationError as invalid:
                if not hasattr(invalid, "form"):  # a file that could not be stored (storage full)
                    messages.error(request, " ".join(invalid.messages))
                correction_form = getattr(invalid, "form", correction_form)
            else:
                messages.success(request, _("Thank you: your corrections have been sent to the service."))
                return redirect("forms:family_dossier", uuid=dossier.uuid)
    elif request.method == "POST":
        messages.error(request, _("This dossier is being processed: it can no longer be changed."))
        return redirect("forms:family_dossier", uuid=dossier.uuid)
    definition = dossier.get_definition()
    files = {str(f.uuid): f.original_name for f in dossier.files.all()}
    steps = summary(
        definition,
        dossier.answers,
        steps=visible_steps(definition, dossier.answers, today=dossier.submitted_at.date()),
        file_names=files,
        file_url=lambda token: reverse("forms:file_download", kwargs={"uuid": token}),
    )
    context = {
        "dossier": dossier,
        "steps": steps,
        "events": dossier.events.filter(is_public=True),
        "correction": correction,
        "correction_form": correction_form,
        "errors": correction_form.error_list() if correction_form is not None and request.method == "POST" else [],
        "corrections": [c for c in corrections.correction_changes(dossier=dossier) if c.answered_at],
        "prices": dossier.prices or dossier_prices_estimate(dossier=dossier),
    }
    return render(request, "forms/family_dossier.html", context)


@never_cache
@login_required
def family_renew(request, page_id: int):
    """Renew last year's dossier from the household: what is on file, each part confirmed unchanged or to
    update (GET); then this year's draft, asking only the steps of what changed or is missing (POST)."""
    page = get_object_or_404(FormPage.objects.live(), pk=page_id).specific
    source = renewal_source(form_page=page, user=request.user)
    if source is None or services.form_can_start(form_page=page, user=request.user):
        messages.error(request, _("This dossier cannot be renewed now."))
        return redirect("forms:family_space")
    overview = renewal_overview(form_page=page, user=request.user)
    if request.method == "POST":
        names = {part["name"] for part in overview["parts"]}
        confirmed = [name for name in names if request.POST.get(f"part_{name}", "unchanged") == "unchanged"]
        try:
            draft = draft_renew(form_page=page, user=request.user, confirmed=confirmed)
        except PermissionDenied:
            messages.error(request, _("This dossier cannot be renewed now."))
            return redirect("forms:family_space")
        definition = definition_for(page)
        asked = renewal_steps(draft=draft, definition=definition)
        if not asked:
            messages.success(request, _("Nothing to change: check your answers and send your dossier."))
            return redirect(_page_url(page, "review"))
        messages.success(request, _("Your household is on file: only what changed or is missing is asked."))
        return redirect(_step_url(page, asked[0]))
    labels = {
        "guardians": _("Guardians"),
        "children": _("Children"),
        "address": _("Address"),
        "qf": _("Family quotient"),
    }
    for part in overview["parts"]:
        part["label"] = labels[part["name"]]
        part["choice"] = request.POST.get(f"part_{part['name']}", "unchanged")
    context = {"page": page, "source": source, **overview}
    return render(request, "forms/family/renewal_confirm.html", context)


@require_POST
@login_required
def family_draft_delete(request, uuid):
    draft = get_object_or_404(selectors.drafts_for_family(user=request.user), uuid=uuid)
    services.draft_delete(draft=draft)
    messages.success(request, _("The draft has been deleted."))
    return redirect("forms:family_space")


def _is_staff(user) -> bool:
    """Whoever may enter the admin (or is marked staff): their file access needs the second factor."""
    return user.is_staff or user.has_perm(ADMIN_ACCESS_PERMISSION)


@never_cache
@login_required
def file_download(request, uuid):
    """A stored file, for the family that sent it or its council's staff; 404 for anyone else.

    Staff must have passed the second factor (like the admin): a session that only passed the password
    is sent to the OTP step first, and comes back here after it."""
    if _is_staff(request.user) and not request.user.is_verified():
        target = "otp_verify" if user_has_device(request.user, confirmed=True) else "otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
    stored = selectors.stored_file_for(user=request.user, token=uuid)
    if stored is None:
        raise Http404
    response = FileResponse(
        io.BytesIO(services.stored_file_content(stored)),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
