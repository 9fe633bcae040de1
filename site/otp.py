"""Staff two-factor authentication: every Wagtail admin URL needs an OTP-verified session.

Built on django-otp (TOTP devices and static backup codes). ``AdminRequiresOTPMiddleware`` sends a
logged-in staff member whose session is not verified to the verification page, or to the enrolment
page when they have no device yet. Login, logout and these pages stay reachable.
"""

import base64
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def _admin_prefix() -> str:
    return settings.OTP_ADMIN_PREFIX


def _exempt_prefixes() -> tuple[str, ...]:
    prefix = _admin_prefix()
    return (
        f"{prefix}login/",
        f"{prefix}logout/",
        f"{prefix}otp/",
    )


class AdminRequiresOTPMiddleware:
    """Refuse every admin URL to a staff session that has not passed the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        user = request.user
        if (
            path.startswith(_admin_prefix())
            and not path.startswith(_exempt_prefixes())
            and user.is_authenticated
            and not user.is_verified()
            and user.has_perm(ADMIN_ACCESS_PERMISSION)
        ):
            target = "otp_verify" if user_has_device(user, confirmed=True) else "otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=False):
        return candidate
    return reverse("wagtailadmin_home")


def _staff_only(view):
    @never_cache
    @login_required(login_url="wagtailadmin_login")
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(ADMIN_ACCESS_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code shown by your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()


@_staff_only
def verify(request):
    """Second step of the staff login: a TOTP code or a backup code."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("code", _("This code is not valid or has expired. Try the current code."))
    return render(request, "otp/verify.html", {"form": form, "next": _safe_next(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def issue_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with new single-use ones and return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@_staff_only
def setup(request):
    """Enrol a TOTP device (QR code), confirm it with a first code, then show the backup codes."""
    user = request.user
    if user_has_device(user, confirmed=True) and not request.user.is_verified():
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _safe_next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = issue_backup_codes(user)
            otp_login(request, device)
            return render(request, "otp/backup_codes.html", {"codes": codes, "next": _safe_next(request)})
        form.add_error("code", _("This code does not match. Check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "otp/setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret, "next": _safe_next(request)},
    )


@_staff_only
def backup_codes(request):
    """Print a new set of backup codes (the old ones stop working). Needs a verified session."""
    if not request.user.is_verified():
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.path})}")
    codes = issue_backup_codes(request.user) if request.method == "POST" else None
    devices = [d for d in devices_for_user(request.user) if isinstance(d, StaticDevice)]
    remaining = sum(d.token_set.count() for d in devices)
    return render(
        request, "otp/backup_codes.html", {"codes": codes, "remaining": remaining, "next": reverse("wagtailadmin_home")}
    )


urlpatterns = [
    path("verify/", verify, name="otp_verify"),
    path("setup/", setup, name="otp_setup"),
    path("backup-codes/", backup_codes, name="otp_backup_codes"),
]
