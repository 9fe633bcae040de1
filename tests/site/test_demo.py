"""`load_initial_data` builds the demo, twice without duplicates, and every demo page renders.

The settings that refuse or allow the demo are tested in test_demo_guard.py (a fresh database each).
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page, Revision, Site

from tests.conftest import loaded_once


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "totp": TOTPDevice.objects.count(),
        "backup": StaticToken.objects.count(),
        "revisions": Revision.objects.count(),
    }


def load_the_demo() -> str:
    out = StringIO()
    call_command("load_initial_data", stdout=out)
    return out.getvalue()


# Loaded once for the module: each test reads it (what a test changes is rolled back after it).
demo_once = loaded_once(load_the_demo)


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def test_load_initial_data_is_idempotent(demo):
    first = counts()
    call_command("load_initial_data", stdout=StringIO())
    assert counts() == first


def test_demo_prints_how_to_log_in(demo):
    assert "admin" in demo
    assert "TOTP secret" in demo
    assert "editeur.valmont" in demo and "editeur.bellerive" in demo


def test_demo_has_two_councils_on_two_hostnames(demo):
    hostnames = set(Site.objects.values_list("hostname", flat=True))
    assert {"localhost", "bellerive.localhost"} <= hostnames


def test_the_two_demo_councils_are_really_different(demo):
    from home.models import CouncilHomePage, DeliberationPage
    from home.pages import EventPage, NewsPage

    valmont, bellerive = (CouncilHomePage.objects.get(slug=slug) for slug in ("valmont", "bellerive"))

    def own(model, council, *fields):
        return set(model.objects.live().descendant_of(council).values_list(*fields))

    assert valmont.primary_colour != bellerive.primary_colour
    assert valmont.logo.file.read() != bellerive.logo.file.read()
    assert not own(NewsPage, valmont, "title") & own(NewsPage, bellerive, "title")
    assert not own(EventPage, valmont, "title", "start") & own(EventPage, bellerive, "title", "start")
    assert not own(DeliberationPage, valmont, "number") & own(DeliberationPage, bellerive, "number")
    assert not own(DeliberationPage, valmont, "session_date") & own(DeliberationPage, bellerive, "session_date")

    def key_dates(council):
        return [block.value["dates"] for block in council.body if block.block_type == "key_dates"]

    assert key_dates(valmont) != key_dates(bellerive)
    for council, host in ((valmont, "localhost"), (bellerive, "bellerive.localhost")):
        html = Client(HTTP_HOST=host).get("/").content.decode()
        assert f"--color-primary: {council.primary_colour}" in html


def test_every_demo_page_renders(demo):
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert pages.count() >= 10
    for page in pages:
        site_id, _root, path = page.get_url_parts()
        host = Site.objects.get(pk=site_id).hostname
        response = Client(HTTP_HOST=host).get(path)
        assert response.status_code == 200, f"{page.title} ({host}{path}) answered {response.status_code}"
        assert "<h1" in response.content.decode(), page.title


def test_demo_staff_can_pass_the_second_factor(demo):
    user = get_user_model().objects.get(username="editeur.valmont")
    client = Client()
    response = client.post("/admin/login/", {"username": "editeur.valmont", "password": "demo-staff-2026"})
    assert response.status_code == 302
    response = client.post("/admin/otp/verify/", {"code": "valmon01", "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert user.groups.count() == 1
