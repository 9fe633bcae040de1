"""One lockout policy for every way of signing in (django-axes): the families' login (allauth), the Wagtail
admin login, Wagtail's front-end login (``/_util/login/``) and the password of a private page, each counted
per account (or page restriction) and per address in the database, so that every process shares it.
Password reset requests go through one rate limit (allauth's ``reset_password``), whichever form is used.

django-axes sees every call to ``django.contrib.auth.authenticate()``: the paths differ only in the name of
their identifier field (``login`` or ``email`` for allauth, ``username`` for Django's and Wagtail's forms),
which ``account_identifier`` reduces to one lowercased key.
"""

import re

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

IDENTIFIER_FIELDS = ("username", "email", "login")
# Wagtail's form for the password of a private page (a shared password, not an account).
PAGE_PASSWORD_PATH = re.compile(r"^/_util/authenticate_with_password/(?P<restriction>\d+)/\d+/$")


def account_identifier(request, credentials) -> str:
    """The account one attempt is about, whatever the form called it (AXES_USERNAME_CALLABLE)."""
    sources = [credentials or {}]
    if request is not None and request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        for name in IDENTIFIER_FIELDS:
            value = source.get(name)
            if value:
                return str(value).strip().lower()
    return ""


def client_address(request) -> str | None:
    """The address attempts are counted against, as allauth's own limits see it (AXES_CLIENT_IP_CALLABLE).

    None when a request has no address at all (a login made in code, e.g. by a test's ``force_login``)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """A page in French saying that signing in is paused, and until when (AXES_LOCKOUT_CALLABLE)."""
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    context = {"until": until, "admin": request.path.startswith(settings.OTP_ADMIN_PREFIX)}
    return render(request, "lockout.html", context, status=429)


class SignInLimitsMiddleware:
    """The ways in that do not go through ``authenticate()``: Wagtail's admin password reset form gets the
    families' reset limit (per address and per email); a private page's password counts in django-axes
    like a login (per page restriction and per address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if request.path == reverse("wagtailadmin_password_reset"):
            email = (request.POST.get("email") or "").strip().lower()
            if not ratelimit.consume(request, action="reset_password", key=email):
                return lockout_response(request)
        page_password = PAGE_PASSWORD_PATH.match(request.path)
        if page_password:
            credentials = {"username": f"page-restriction-{page_password['restriction']}"}
            if not AxesProxyHandler.is_allowed(request, credentials):
                return lockout_response(request)
            response = self.get_response(request)
            if response.status_code == 200:  # the form shown again: a wrong password
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if not AxesProxyHandler.is_allowed(request, credentials):
                    return lockout_response(request)
            return response
        return self.get_response(request)
