"""The page around a step's fields is rendered once and shared: what belongs to a family stays its own."""

import datetime
import re

from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from forms.models import Draft
from home.models import StandardPage

from .conftest import field, make_form, step, step_url


def two_step_form(council):
    return make_form(
        council,
        step("Responsable", field("short_text", "nom", "Nom")),
        step("Enfant", field("short_text", "prenom", "Prénom")),
    )


def csrf_client(user) -> Client:
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_each_family_gets_its_own_token_and_expiry_and_can_send_the_step(council_a, family, other_family):
    page = two_step_form(council_a)
    today = timezone.localdate()
    expiries = {family: today + datetime.timedelta(days=24), other_family: today + datetime.timedelta(days=46)}
    clients = {}
    for user, expiry in expiries.items():
        clients[user] = client = csrf_client(user)
        client.get(page.url)
        client.post(page.url, {"csrfmiddlewaretoken": token_in(client.get(page.url))})
        Draft.objects.filter(user=user).update(
            expires_at=timezone.make_aware(datetime.datetime.combine(expiry, datetime.time(12)))
        )
    pages = {user: clients[user].get(step_url(page, 1)) for user in expiries}
    with translation.override("fr"):
        shown = {user: date_format(expiry, "j F Y") for user, expiry in expiries.items()}
    assert shown[family] in pages[family].content.decode()
    assert shown[other_family] in pages[other_family].content.decode()
    assert shown[other_family] not in pages[family].content.decode()
    for user, response in pages.items():
        sent = clients[user].post(step_url(page, 1), {"csrfmiddlewaretoken": token_in(response), "nom": user.email})
        assert sent.status_code == 302, sent.content.decode()[:300]
        assert Draft.objects.get(user=user).answers["nom"] == user.email


def test_a_waiting_message_is_shown_on_a_step_page_seen_before(council_a, family):
    page = two_step_form(council_a)
    client = Client(HTTP_HOST="localhost")
    client.force_login(family)
    client.post(page.url)
    client.get(step_url(page, 1))
    client.get(step_url(page, 1))
    response = client.post(f"{page.url}verifier/", follow=True)
    assert response.redirect_chain[-1][0].endswith("etape/1/")
    assert "Des réponses manquent" in response.content.decode()


def test_the_council_menu_of_a_step_page_follows_new_pages(council_a, family):
    page = two_step_form(council_a)
    client = Client(HTTP_HOST="localhost")
    client.force_login(family)
    client.post(page.url)
    assert "Cantine et périscolaire" not in client.get(step_url(page, 1)).content.decode()
    news = StandardPage(title="Cantine et périscolaire", slug="cantine", body="<p>Menus.</p>", show_in_menus=True)
    council_a.add_child(instance=news)
    news.save_revision().publish()
    assert "Cantine et périscolaire" in client.get(step_url(page, 1)).content.decode()


def test_the_cached_page_frame_keeps_each_visitor_s_own_links_and_token(council_a, family, other_family):
    """The council's header and footer are cached; the account links and the logout form's token are not."""
    page = two_step_form(council_a)
    signed_in = {user: csrf_client(user) for user in (family, other_family)}
    for client in signed_in.values():
        client.post(page.url, {"csrfmiddlewaretoken": token_in(client.get(page.url))})
    pages = {user: client.get(step_url(page, 1)).content.decode() for user, client in signed_in.items()}
    anonymous = Client(HTTP_HOST="localhost").get(council_a.url).content.decode()
    assert "Se déconnecter" in pages[family] and "Mon espace famille" in pages[family]
    assert "Se déconnecter" not in anonymous and "Mon espace famille" not in anonymous and "Se connecter" in anonymous
    tokens = {re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[0] for html in pages.values()}
    assert len(tokens) == 2  # the logout form of each family carries its own token
    assert council_a.official_name in anonymous and council_a.official_name in pages[family]
