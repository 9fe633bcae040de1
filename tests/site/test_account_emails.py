"""Account emails (allauth) are in French, name the council and link to its own site (hostname and port)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from wagtail.models import Site

from tests.conftest import make_family

pytestmark = pytest.mark.django_db
PASSWORD = "Une-phrase-de-passe-solide"


@pytest.fixture
def valmont_on_port(council_a):
    """Valmont's site served on an unusual port, reached here through another host name."""
    Site.objects.filter(root_page=council_a).update(port=8765)
    return council_a


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_sign_up_confirmation_is_french_names_the_council_and_links_to_its_site(valmont_on_port):
    client = Client(HTTP_HOST="localhost:8765")
    response = client.post(
        "/compte/signup/", {"email": "nouvelle@example.fr", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject.startswith("[Ville de Valmont] ")
    assert message.body.startswith("Bonjour,\n\nCette adresse électronique a été donnée pour ouvrir un compte")
    assert "portail famille de Ville de Valmont" in message.body and "127.0.0.1" not in message.body
    assert "nouvelle." not in message.body.replace("nouvelle@", "")  # no made-up username
    confirm, home = links(message.body)
    assert confirm.startswith("http://localhost:8765/compte/confirm-email/")
    assert home == "http://localhost:8765/"
    assert client.get(confirm.removeprefix("http://localhost:8765")).status_code == 200


def test_password_reset_links_to_the_council_site_whatever_host_was_used(valmont_on_port):
    family = make_family("camille@example.fr")
    client = Client(HTTP_HOST="localhost")  # the default site, reached without the port
    client.post("/compte/password/reset/", {"email": family.email})
    client.post("/compte/password/reset/", {"email": "inconnue@example.fr"})
    reset, unknown = mail.outbox
    assert "nouveau mot de passe pour votre compte sur le portail famille de Ville de Valmont" in reset.body
    assert links(reset.body)[0].startswith("http://localhost:8765/compte/password/reset/key/")
    assert "identifiant" not in reset.body and "username" not in reset.body
    assert links(unknown.body)[0] == "http://localhost:8765/compte/signup/"
    key_path = links(reset.body)[0].removeprefix("http://localhost:8765")
    assert client.get(key_path, follow=True).status_code == 200


def test_messages_name_the_family_by_its_email(valmont_on_port):
    family = make_family("camille@example.fr")
    family.username = "camille.lambert.ux"
    family.save()
    client = Client(HTTP_HOST="localhost")
    response = client.post("/compte/login/", {"login": family.email, "password": "famille-password-123"})
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "camille@example.fr" in message and "camille.lambert.ux" not in message
