"""Consents to API Particulier: a family reads and withdraws its own (family space); staff read a family's,
for their councils (admin, behind the second factor)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .models import Scope, add_months


def _described(consents) -> list[dict]:
    """Each consent with what the family reads: data, purpose, state (in force, withdrawn, expired)."""
    now = timezone.now()
    described = []
    for consent in consents:
        expires_at = add_months(consent.created_at, consent.habilitation.retention_months)
        if consent.withdrawn_at:
            state = "withdrawn"
        elif expires_at < now:
            state = "expired"
        else:
            state = "active"
        labels = [str(Scope(scope).label) if scope in Scope.values else scope for scope in consent.scopes]
        described.append({"consent": consent, "data": labels, "expires_at": expires_at, "state": state})
    return described


@never_cache
@login_required
@require_GET
def family_consents(request):
    """Mes consentements: what the family agreed the councils fetch from the CAF or the MSA, and withdrawal."""
    consents = _described(selectors.consents_for_family(user=request.user))
    return render(request, "connectors/family_consents.html", {"consents": consents})


@never_cache
@login_required
@require_POST
def family_consent_withdraw(request, pk: int):
    consent = get_object_or_404(selectors.consents_for_family(user=request.user), pk=pk)
    services.consent_withdraw(consent=consent, user=request.user)
    messages.success(
        request,
        _(
            "Your consent is withdrawn: no data will be fetched under it any more. The next time a form offers "
            "to fetch your data, you will be asked again."
        ),
    )
    return redirect("connectors_family_consents")


@require_GET
def staff_family_consents(request, user_id: int):
    """A family's consents to the councils the staff member works for: data, text version, given, withdrawn."""
    if not request.user.has_perm("connectors.view_consent"):
        raise PermissionDenied
    family = get_object_or_404(get_user_model(), pk=user_id, is_staff=False)
    consents = list(selectors.consents_for_staff(user=request.user, family=family))
    title = _("Consents to API Particulier")
    if consents:  # an account with no consent to these councils is not named (ids are typed)
        title = _("Consents to API Particulier: %(family)s") % {"family": family.get_full_name() or family.email}
    context = {"consents": _described(consents), "family": family, "page_title": title, "header_icon": "resubmit"}
    return render(request, "connectors/admin/family_consents.html", context)
