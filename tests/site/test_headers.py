"""Audit item 12: a strict Content-Security-Policy (no inline script) and a Permissions-Policy on every
page; the Wagtail admin's allowances only under /admin/; no template of ours with an inline script."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import make_staff, otp_client

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_public_pages_have_a_strict_policy(council_a):
    response = Client().get("/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_family_login_page_has_the_policy(council_a):
    response = Client().get("/compte/login/")
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_only_the_admin_may_run_inline_scripts(council_a):
    response = otp_client(make_staff("admin.csp", superuser=True)).get("/admin/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "Permissions-Policy" in response


TEMPLATE_DIRS = ["site", "home", "forms", "connectors"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_of_ours_has_an_inline_script_or_handler():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in (Path(settings.BASE_DIR) / folder).rglob("templates/**/*.html"):
            text = path.read_text()
            if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []
