"""Consents to API Particulier: a family reads and withdraws its own (family space); staff read a family's,
for their councils (admin, behind the second factor)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .selectors import consents_described


@never_cache
@login_required
@require_GET
def family_consents(request):
    """Mes consentements: what the family agreed the councils fetch from the CAF or the MSA, and withdrawal."""
    consents = consents_described(selectors.consents_for_family(user=request.user))
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
    # Withdrawn from the family space's dashboard: back there.
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
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
    context = {
        "consents": consents_described(consents),
        "family": family,
        "page_title": title,
        "header_icon": "resubmit",
    }
    return render(request, "connectors/admin/family_consents.html", context)
