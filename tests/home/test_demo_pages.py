"""The demo's council pages: deliberations, rules in two versions, 2026 tariffs; idempotent; reachable."""

import re
from datetime import date
from io import StringIO

import pytest
from django.test import Client
from wagtail.models import Page, Revision

from home import demo
from home.models import DeliberationPage, RulesAcceptance, RulesPage, RulesVersion, TariffDecreePage
from home.selectors import decree_in_force, rules_pages_for_council, rules_version_in_force
from tests.conftest import loaded_once

pytestmark = pytest.mark.django_db


def load_the_demo():
    demo.load(stdout=StringIO())


# Loaded once for the module: each test reads it (what a test changes is rolled back after it).
demo_once = loaded_once(load_the_demo)


@pytest.fixture
def loaded(demo_once, db):
    return demo.demo_councils()


def counts():
    return (Page.objects.count(), Revision.objects.count(), RulesVersion.objects.count())


def test_each_demo_council_has_its_council_pages(loaded):
    assert [c.slug for c in loaded] == ["valmont", "bellerive"]
    for council in loaded:
        assert DeliberationPage.objects.live().descendant_of(council).count() == 3
        (rules,) = rules_pages_for_council(council=council)
        assert list(rules.versions.values_list("number", flat=True)) == [1, 2]
        assert rules_version_in_force(rules_page=rules).number == 2
        decree = decree_in_force(council=council)
        assert [rule.kind for rule in decree.grid().services] == ["effort_rate", "tranches", "psu", "flat"]
    assert (
        TariffDecreePage.objects.get(slug="tarifs-2026", path__startswith=loaded[1].path).non_resident_surcharge == 10
    )


def test_loading_the_demo_twice_changes_nothing(loaded):
    before = counts()
    demo.load(stdout=StringIO())
    assert counts() == before
    assert not RulesAcceptance.objects.exists()


def test_council_pages_are_linked_from_the_council_home_page_and_render(loaded):
    for council in loaded:
        host = "localhost" if council.slug == "valmont" else "bellerive.localhost"
        client = Client(HTTP_HOST=host)
        home = client.get("/").content.decode()
        for slug in ("deliberations", "reglement-interieur", "tarifs-2026"):
            assert f'href="/{slug}/"' in home
            assert client.get(f"/{slug}/").status_code == 200
        rules = RulesPage.objects.descendant_of(council).get()
        assert client.get(f"{rules.url}version/1/").status_code == 200
        quote = client.get(
            f"/api/tarifs/{decree_in_force(council=council).pk}/quote", {"service": "cantine", "qf": "1000"}
        )
        assert quote.json()["amount"] == "3.60"


def test_demo_rules_versions_show_their_own_adoption_and_publication_dates(loaded):
    rules = RulesPage.objects.descendant_of(loaded[0]).get()
    v1, v2 = rules.versions.order_by("number")
    assert (v1.adopted_on, v1.published_at.date()) == (date(2023, 6, 26), date(2023, 6, 28))
    assert (v2.adopted_on, v2.published_at.date()) == (date(2025, 6, 30), date(2025, 7, 2))
    page = Client(HTTP_HOST="localhost").get(f"{rules.url}version/1/").content.decode()
    assert "Adoptée le 26 juin 2023." in page and "Publiée le 28 juin 2023." in page
    table = Client(HTTP_HOST="localhost").get(rules.url).content.decode()
    assert re.search(r">30 juin 2025</td>\s*<td[^>]*>2 juillet 2025</td>", table)
