"""Receivers of django-allauth's account signals (wired in ``FormsConfig.ready``): they only call services.

A family that confirms its email address, or logs in on a council's site, gets the dossiers an agent
filed on paper for that council under one of its verified addresses (``paper_dossiers_claim``).
"""

from allauth.account.signals import email_confirmed, user_logged_in
from django.contrib import messages
from django.utils.translation import ngettext

from home.selectors import council_for_request

from .services import paper_dossiers_claim


def _claim(request, user) -> None:
    if request is None:
        return
    claimed = paper_dossiers_claim(user=user, council=council_for_request(request))
    if claimed:
        messages.success(
            request,
            ngettext(
                "A dossier filed for you at the counter is now in your family space.",
                "%(count)d dossiers filed for you at the counter are now in your family space.",
                len(claimed),
            )
            % {"count": len(claimed)},
        )


def on_email_confirmed(request, email_address, **kwargs) -> None:
    _claim(request, email_address.user)


def on_user_logged_in(request, user, **kwargs) -> None:
    _claim(request, user)


def connect() -> None:
    email_confirmed.connect(on_email_confirmed, dispatch_uid="forms_claim_on_email_confirmed")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="forms_claim_on_login")
