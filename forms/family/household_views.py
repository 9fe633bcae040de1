"""The family space's household part: the dashboard of the household for the council of the site, the
invitation of a second guardian and its acceptance."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from connectors.selectors import consents_described, consents_for_family
from home.selectors import council_for_request, council_site_url, rules_pages_to_accept_again

from ..models import DossierStatus, FormPage
from .child_forms import child_spec, children_to_choose, dossier_child_uuid, draft_child_choose
from .household import HouseholdInvitation
from .household_selectors import (
    child_health_summary,
    household_accounts,
    household_commune,
    household_dossiers,
    household_for,
    household_for_dossier,
    household_is_resident,
)
from .household_services import Change, dossier_household_changes, household_invitation_accept, household_invite
from .notifications import household_invitation_send
from .pricing import dossier_prices_estimate

EXPIRING_SOON = datetime.timedelta(days=30)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address of the other guardian"),
        help_text=gettext_lazy("They will receive a link to join your household with their own account."),
    )


def child_dossiers(dossiers, child) -> list:
    """The dossiers about one child (their provenance names the household's child)."""
    return [dossier for dossier in dossiers if dossier_child_uuid(dossier) == str(child.uuid)]


def household_dashboard(request, council) -> dict:
    """What the family space shows of the household for ``council``: members, address and QF with its source,
    documents on file and when they expire, each child's dossiers, what to do next, the history."""
    household = household_for(user=request.user, council=council)
    if household is None:
        return {"household": None}
    today = timezone.localdate()
    dossiers = list(household_dossiers(household=household))
    children = []
    for child in household.children.select_related("health__dossier"):
        enrolments = child_dossiers(dossiers, child)
        for dossier in enrolments:
            # Validated: the prices that bind; before that, the estimate (to be confirmed).
            dossier.shown_prices = dossier.prices or dossier_prices_estimate(dossier=dossier)
        children.append(
            {"child": child, "dossiers": enrolments, "health": child_health_summary(child=child)}  # the family's own
        )
    documents = list(household.documents.filter(health=False).select_related("file", "child"))
    for document in documents:
        document.expired = document.valid_until is not None and document.valid_until < today
        document.expiring = (
            not document.expired and document.valid_until and document.valid_until - today <= EXPIRING_SOON
        )
    todo = []
    for dossier in dossiers:
        if dossier.status == DossierStatus.CORRECTION_REQUESTED:
            todo.append(
                {
                    "text": _("The service asks you to correct the dossier %(reference)s.")
                    % {"reference": dossier.reference},
                    "url": reverse("forms:family_dossier", kwargs={"uuid": dossier.uuid}),
                }
            )
    for document in documents:
        if document.expired or document.expiring:
            todo.append(
                {
                    "text": _("“%(label)s” expires on %(date)s: send a new one with your next dossier.")
                    % {"label": document.label, "date": document.valid_until.strftime("%d/%m/%Y")},
                    "url": "",
                }
            )
    soon = FormPage.objects.live().descendant_of(council).filter(opens_at__gt=timezone.now()).order_by("opens_at")[:3]
    for page in soon:
        todo.append(
            {
                "text": _("“%(form)s” opens on %(date)s.")
                % {"form": page.title, "date": timezone.localtime(page.opens_at).strftime("%d/%m/%Y")},
                "url": "",
            }
        )
    todo += [
        {
            "text": _("New rules: read and accept “%(title)s”.") % {"title": page.title},
            "url": page.get_url(request) + page.reverse_subpage("accept"),
        }
        for page in rules_pages_to_accept_again(council=council, user=request.user)
    ]
    accounts = list(household_accounts(household=household))
    consents = [
        item
        for item in consents_described(consents_for_family(user=request.user).filter(council=council))
        if item["state"] == "active"
    ]
    return {
        "household": household,
        "household_guardians": list(household.guardians.all()),
        "household_children": children,
        "household_commune": household_commune(household=household),
        "household_resident": household_is_resident(household=household),
        "household_documents": documents,
        "household_todo": todo,
        "household_consents": consents,
        "household_events": list(household.events.order_by("-at", "-pk")[:20]),
        "household_accounts": accounts,
        "invite_form": InviteForm() if len(accounts) < 2 else None,
    }


@require_POST
@login_required
def household_invite_view(request):
    """Invite the other guardian by email to share the household of the site's council."""
    council = council_for_request(request)
    household = household_for(user=request.user, council=council)
    if household is None:
        raise Http404
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["email"]))
        return redirect("forms:family_space")
    try:
        invitation = household_invite(household=household, email=form.cleaned_data["email"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("forms:family_space")
    link = council_site_url(council) + reverse("forms:household_join", kwargs={"token": invitation.token})
    household_invitation_send.enqueue(invitation.pk, link)
    messages.success(request, _("The invitation has been sent to %(email)s.") % {"email": invitation.email})
    return redirect("forms:family_space")


@never_cache
@login_required
def household_join(request, token):
    """The invited guardian sees whose household it is and joins it."""
    invitation = HouseholdInvitation.objects.select_related("household").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            household_invitation_accept(token=token, user=request.user)
        except PermissionDenied as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("You now share this household."))
            return redirect("forms:family_space")
    return render(request, "forms/family/household_join.html", {"invitation": invitation})


# Agents ----------------------------------------------------------------------------------------


def household_staff_context(*, dossier, health_allowed: bool) -> dict:
    """What an agent sees of the household behind a dossier: members, QF history with sources, documents
    (health ones only with the health role), all its dossiers, and what validating would change in it."""
    household = household_for_dossier(dossier=dossier)
    context = {"staff_household": household, "household_changes": []}
    if dossier.status in (DossierStatus.SUBMITTED, DossierStatus.UNDER_REVIEW):
        context["household_changes"] = dossier_household_changes(dossier=dossier)
    if household is None:
        return context
    documents = household.documents.select_related("file")
    if not health_allowed:
        documents = documents.filter(health=False)
    children = list(
        household.children.select_related("health__dossier") if health_allowed else household.children.all()
    )
    for child in children:
        # The PAI summary only with the health role: without it, nothing of the health part is even read.
        child.health_summary = child_health_summary(child=child) if health_allowed else None
    context.update(
        {
            "staff_household_guardians": list(household.guardians.all()),
            "staff_household_children": children,
            "staff_household_accounts": list(household_accounts(household=household)),
            "staff_household_commune": household_commune(household=household),
            "staff_household_resident": household_is_resident(household=household),
            "staff_household_qf_history": [
                {
                    "event": event,
                    "change": Change(
                        path="qf",
                        label="",
                        before=event.changes["qf"].get("before"),
                        after=event.changes["qf"].get("after"),
                    ),
                }
                for event in household.events.select_related("dossier").order_by("-at", "-pk")
                if isinstance(event.changes.get("qf"), dict)
            ],
            "staff_household_documents": list(documents),
            "staff_household_dossiers": list(household_dossiers(household=household)),
            "staff_household_health": health_allowed,
        }
    )
    return context


def household_refused_from_post(data) -> dict[str, str]:
    """The household changes an agent refused in the validation form: ``{path: reason}``."""
    return {
        name.removeprefix("household_refuse__"): data.get(
            "household_reason__" + name.removeprefix("household_refuse__"), ""
        )
        for name in data
        if name.startswith("household_refuse__")
    }


# Forms about one child ---------------------------------------------------------------------------


def child_choice_context(request, *, page, definition) -> dict:
    """The chooser of the start page of a form about one child: the household's children (those already
    done this period are shown, not offered), and "another child"."""
    if child_spec(definition) is None or not request.user.is_authenticated:
        return {}
    children = children_to_choose(form_page=page, user=request.user, council=council_for_request(request))
    return {"children_choice": children} if children else {}


def child_start(request, *, page, definition, draft) -> None:
    """Fill the new draft with the child chosen on the start page, and say what was already on file."""
    if child_spec(definition) is None or not request.user.is_authenticated:
        return
    chosen = request.POST.get("child", "")
    choices = {
        str(entry["child"].uuid): entry["child"]
        for entry in children_to_choose(form_page=page, user=request.user, council=council_for_request(request))
        if not entry["done"]
    }
    child = choices.get(chosen)
    draft_child_choose(draft=draft, definition=definition, child=child)
    if child is not None:
        messages.info(
            request,
            _(
                "Already on file for %(name)s: what your household has on file about this child is filled in. If "
                "something is wrong, correct it: the service will check the correction."
            )
            % {"name": child.first_name},
        )
