"""Several councils in one installation: their sites, identities and editors' reach."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from home.models import CouncilHomePage, StandardPage
from home.selectors import councils_for_user
from home.validators import validate_insee_code, validate_siret, validate_theme_colour
from tests.conftest import otp_client


def test_each_hostname_serves_its_council(council_a, council_b):
    a = Client(HTTP_HOST="localhost").get("/")
    b = Client(HTTP_HOST="bellerive.localhost").get("/")
    assert a.status_code == b.status_code == 200
    assert "Ville de Valmont" in a.content.decode()
    assert "Ville de Bellerive" in b.content.decode()
    assert "Ville de Valmont" not in b.content.decode()


def test_public_pages_are_in_french_whatever_the_browser_asks(council_a):
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Aller au contenu" in html
    assert "Se connecter" in html


def test_base_template_is_accessible(council_a):
    html = Client().get("/").content.decode()
    assert '<html lang="fr">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html
    assert "--color-primary: #1d4f91" in html


@pytest.mark.parametrize("value", ["21219990500010", "21219991300014"])
def test_valid_siret(value):
    validate_siret(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [("2121999050001", "invalid_length"), ("21219990500011", "invalid"), ("2121999050001A", "invalid_length")],
)
def test_invalid_siret_is_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_siret(value)
    assert error.value.error_list[0].code == code


def test_insee_code_accepts_corsica_and_refuses_garbage():
    validate_insee_code("2A004")
    validate_insee_code("21231")
    with pytest.raises(ValidationError):
        validate_insee_code("2123")


def test_theme_colour_must_keep_white_text_readable():
    validate_theme_colour("#1d4f91")
    with pytest.raises(ValidationError) as error:
        validate_theme_colour("#ffcc00")
    assert error.value.error_list[0].code == "low_contrast"


def test_editor_edits_own_council_only(council_a, council_b, editor_a):
    client = otp_client(editor_a)
    assert client.get(f"/admin/pages/{council_a.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{council_a.pk}/").status_code == 200
    refused = client.get(f"/admin/pages/{council_b.pk}/edit/")
    assert refused.status_code in (302, 403)
    assert client.get(f"/admin/pages/add/home/standardpage/{council_b.pk}/").status_code in (302, 403)
    assert list(councils_for_user(editor_a)) == [council_a]


def test_editor_cannot_publish_into_another_council(council_a, council_b, editor_b):
    client = otp_client(editor_b, host="bellerive.localhost")
    response = client.post(
        f"/admin/pages/add/home/standardpage/{council_a.pk}/",
        {"title": "Intrus", "slug": "intrus", "body": '{"blocks": [], "entityMap": {}}', "action-publish": "1"},
    )
    assert response.status_code in (302, 403)
    assert not StandardPage.objects.filter(slug="intrus").exists()


def test_editor_publishes_in_own_council(council_b, editor_b):
    client = otp_client(editor_b, host="bellerive.localhost")
    body = '{"blocks": [{"key": "a", "type": "unstyled", "text": "Horaires", "depth": 0, "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}'
    response = client.post(
        f"/admin/pages/add/home/standardpage/{council_b.pk}/",
        {"title": "Horaires", "slug": "horaires", "body": body, "action-publish": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StandardPage.objects.get(slug="horaires")
    assert page.live
    assert Client(HTTP_HOST="bellerive.localhost").get("/horaires/").status_code == 200


def test_council_home_page_refuses_bad_identity(council_a):
    council = CouncilHomePage.objects.get(pk=council_a.pk)
    council.siret = "12345678901234"
    with pytest.raises(ValidationError) as error:
        council.full_clean()
    assert "siret" in error.value.message_dict
