"""The admin requires a second factor: TOTP enrolment, verification, backup codes, and the gate."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_staff, otp_client

ROUTE_PARAM = re.compile(r"<(?:(\w+):)?\w+>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def _concrete(pattern) -> str:
    text = str(pattern.pattern)
    if text.startswith("^"):  # a regular expression
        text = REGEX_GROUP.sub("1", text).lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
        return text.replace("?", "")
    return ROUTE_PARAM.sub(lambda m: "1" if m.group(1) == "int" else "x", text)


def admin_urls() -> list[str]:
    """Every URL pattern under /admin/, with placeholder arguments."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            part = prefix + _concrete(pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, part)
            elif isinstance(pattern, URLPattern):
                found.append("/" + part)

    walk(get_resolver().url_patterns, "")
    return sorted({url for url in found if url.startswith("/admin/")})


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def staff_unverified(editor_a):
    client = Client()
    client.force_login(editor_a)
    return client


def test_no_admin_url_answers_200_to_an_unverified_staff_session(staff_unverified):
    urls = admin_urls()
    assert len(urls) > 100  # the walk really found Wagtail's admin
    answered = {}
    for url in urls:
        if url.startswith(("/admin/otp/", "/admin/logout/")):
            continue
        response = staff_unverified.get(url)
        answered[url] = response.status_code
        assert response.status_code != 200, url
        if response.status_code == 302 and not url.startswith("/admin/login/"):
            assert response["Location"].startswith("/admin/otp/setup/"), url
    assert sum(code == 302 for code in answered.values()) == len(answered)


def test_staff_without_device_is_sent_to_enrolment_then_gets_backup_codes(editor_a, staff_unverified):
    response = staff_unverified.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/otp/setup/")

    page = staff_unverified.get(response["Location"])
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(user=editor_a, confirmed=False)

    confirmed = staff_unverified.post("/admin/otp/setup/", {"code": totp_now(device), "next": "/admin/pages/"})
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=editor_a).count() == 10
    assert staff_unverified.get("/admin/").status_code == 200


def test_enrolment_refuses_a_wrong_code(editor_a, staff_unverified):
    staff_unverified.get("/admin/otp/setup/")
    wrong = staff_unverified.post("/admin/otp/setup/", {"code": "000000", "next": "/admin/pages/"})
    assert wrong.status_code == 200
    assert "error-summary" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=editor_a, confirmed=True).exists()
    assert staff_unverified.get("/admin/pages/").status_code == 302


def test_staff_with_device_must_enter_a_code(editor_a, staff_unverified):
    device = TOTPDevice.objects.create(user=editor_a, name="phone", confirmed=True)
    response = staff_unverified.get("/admin/")
    assert response["Location"].startswith("/admin/otp/verify/")

    refused = staff_unverified.post("/admin/otp/verify/", {"code": "123456", "next": "/admin/"})
    assert refused.status_code == 200
    assert staff_unverified.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttle_reset()  # a failure delays the next try (brute-force protection); skip the wait
    accepted = staff_unverified.post("/admin/otp/verify/", {"code": totp_now(device), "next": "/admin/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/admin/"
    assert staff_unverified.get("/admin/").status_code == 200


def test_a_backup_code_works_once(editor_a):
    device = StaticDevice.objects.create(user=editor_a, name="backup", confirmed=True)
    device.token_set.create(token="secours1")
    for _ in range(2):
        client = Client()
        client.force_login(editor_a)
        response = client.post("/admin/otp/verify/", {"code": "secours1", "next": "/admin/"})
        if _ == 0:
            assert response.status_code == 302
            assert client.get("/admin/").status_code == 200
        else:
            assert response.status_code == 200  # refused: already used
            assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_redirect_elsewhere(editor_a, staff_unverified):
    device = TOTPDevice.objects.create(user=editor_a, name="phone", confirmed=True)
    response = staff_unverified.post(
        "/admin/otp/verify/", {"code": totp_now(device), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/admin/"


def test_families_cannot_enrol_or_reach_the_admin(family):
    client = Client()
    client.force_login(family)
    assert client.get("/admin/otp/setup/").status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.filter(user=family).exists()


def test_verified_staff_reach_the_admin(editor_a):
    assert otp_client(editor_a).get("/admin/").status_code == 200


def test_superuser_needs_a_second_factor_too(council_a):
    admin = make_staff("chef", superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/users/").status_code == 302
