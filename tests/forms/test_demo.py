"""The demo forms load twice without duplicates, and every step of every demo form renders."""

import io

import pytest
from django.test import Client

from forms import demo
from forms.engine.rendering import definition_for
from forms.models import Dossier, FormIndexPage, FormPage
from tests.conftest import loaded_once, make_family


def load_all():
    from connectors import demo as connectors_demo
    from home import demo as home_demo

    out = io.StringIO()
    home_demo.load(stdout=out)
    connectors_demo.load(stdout=out)
    demo.load(stdout=out)


# Loaded once for the module; a test that loads it again checks that nothing is duplicated.
demo_once = loaded_once(load_all)


@pytest.fixture
def loaded(demo_once, db):
    """The demo of the three apps, in this test's own savepoint."""


def test_demo_is_idempotent_and_renders(loaded):
    load_all()
    assert FormIndexPage.objects.count() == 2
    assert FormPage.objects.count() == 8
    pai = FormPage.objects.filter(slug="pai").first()
    assert pai.is_health_data
    family = make_family()
    for page in FormPage.objects.all():
        host = page.get_site().hostname
        client = Client(HTTP_HOST=host)
        client.force_login(family)
        assert client.get(page.url).status_code == 200
        client.post(page.url)
        for number in range(1, len(definition_for(page).steps) + 1):
            response = client.get(f"{page.url}etape/{number}/", follow=True)
            assert response.status_code == 200, (page.slug, number)


def test_a_family_sends_the_demo_authorisations(loaded):
    page = FormPage.objects.get(slug="autorisations", url_path__startswith="/valmont/")
    family = make_family()
    client = Client(HTTP_HOST="localhost")
    client.force_login(family)
    client.post(page.url)
    assert client.post(f"{page.url}etape/1/", {"prenom": "Léa", "date_naissance": "2020-02-01"}).status_code == 302
    body = client.get(f"{page.url}etape/2/").content.decode()
    assert 'name="rentre_seul"' not in body  # under 8: not even shown
    data = {
        "personnes_autorisees-count": "1",
        "personnes_autorisees-0-nom": "Jean Martin",
        "personnes_autorisees-0-lien": "Grand-père",
        "personnes_autorisees-0-telephone": "0601020304",
        "sorties": "oui",
    }
    assert client.post(f"{page.url}etape/2/", data).status_code == 302
    data = {"droit_image": "Je n'autorise pas", "soins_urgence": "on"}
    assert client.post(f"{page.url}etape/3/", data).status_code == 302
    client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get(family=family)
    assert dossier.reference.startswith("AU-")
    assert "rentre_seul" not in dossier.answers


def test_demo_back_office_staff_family_and_dossiers(loaded):
    from django.contrib.auth import get_user_model

    from forms.family.selectors import dossiers_for_staff
    from home.models import CouncilHomePage

    load_all()
    users = get_user_model().objects
    family = users.get(email="famille.lambert@example.fr")
    assert family.check_password("demo-famille-2026") and family.emailaddress_set.get().verified
    assert Dossier.objects.filter(family=family).count() == 12
    assert set(Dossier.objects.values_list("status", flat=True)) == set(demo.DEMO_STATUSES)
    valmont = CouncilHomePage.objects.get(slug="valmont")
    agent = users.get(username="agent.valmont")
    assert agent.check_password("demo-staff-2026") and agent.totpdevice_set.filter(confirmed=True).exists()
    assert set(dossiers_for_staff(user=agent).values_list("council", flat=True)) == {valmont.pk}
    editor = users.get(username="editeur.valmont")
    assert not dossiers_for_staff(user=editor).exists()
