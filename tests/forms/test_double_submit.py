"""Issue 13, item 5: sending the same draft twice (double click, two tabs, three simultaneous POSTs) makes
one dossier and one email; the extra POSTs are shown the first dossier."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from forms.family import services
from forms.models import Dossier, Draft
from tests.conftest import make_family

from .conftest import family_client, field, make_form, step, step_url


def one_step_form(council):
    return make_form(council, step("Un", field("short_text", "nom", "Nom")), reference_prefix="DF")


def fill(client, page, name="Martin"):
    client.post(page.url)
    assert client.post(step_url(page, 1), {"nom": name}).status_code == 302


def test_a_second_post_shows_the_first_dossier_and_sends_no_second_email(
    council_a, family, django_capture_on_commit_callbacks
):
    page = one_step_form(council_a)
    client = family_client(family)
    fill(client, page)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"{page.url}verifier/")
        second = client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    confirmation = f"{page.url}envoye/{dossier.reference}/"
    assert first["Location"] == second["Location"] == confirmation
    assert len(mail.outbox) == 1
    body = client.get(confirmation).content.decode()
    assert dossier.reference in body and "déjà été envoyé" in body


def test_a_stale_tab_sending_the_same_draft_gets_the_first_dossier(council_a, family):
    page = one_step_form(council_a)
    fill(family_client(family), page)
    tab_one, tab_two = Draft.objects.get(), Draft.objects.get()
    meta = {"ip_address": "127.0.0.1", "user_agent": "test"}
    dossier = services.dossier_submit(draft=tab_one, request_meta=meta)
    with pytest.raises(services.AlreadySent) as sent:
        services.dossier_submit(draft=tab_two, request_meta=meta)
    assert sent.value.dossier == dossier
    assert Dossier.objects.count() == 1


def test_an_anonymous_second_post_shows_the_first_dossier(council_a, client):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")), access="anonymous", slug="anonyme")
    fill(client, page)
    first = client.post(f"{page.url}verifier/")
    second = client.post(f"{page.url}verifier/")
    assert first["Location"] == second["Location"] == f"{page.url}envoye/{Dossier.objects.get().reference}/"


FAMILIES, POSTS_EACH = 10, 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions")
def test_simultaneous_posts_make_one_dossier_per_family(council_a):
    """FAMILIES families each send their check-your-answers page POSTS_EACH times at the same instant,
    each POST on its own thread and database connection."""
    page = one_step_form(council_a)
    sessions = []
    for number in range(FAMILIES):
        family = make_family(f"famille{number}@example.fr")
        client = family_client(family)
        fill(client, page, name=f"Famille {number}")
        sessions.append((family, client.cookies))
    mail.outbox = []
    start = threading.Barrier(FAMILIES * POSTS_EACH)
    locations: dict[int, list[str]] = {family.pk: [] for family, _cookies in sessions}
    errors: list[BaseException] = []

    def send(family, cookies):
        client = Client(HTTP_HOST="localhost")
        client.cookies = cookies
        try:
            start.wait()
            response = client.post(f"{page.url}verifier/")
            locations[family.pk].append(response["Location"])
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(family, cookies)) for family, cookies in sessions for _ in range(POSTS_EACH)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    tried = sum(len(found) for found in locations.values())
    dossiers = Dossier.objects.count()
    assert (tried, dossiers, len(mail.outbox)) == (FAMILIES * POSTS_EACH, FAMILIES, FAMILIES)
    for family, _cookies in sessions:
        dossier = Dossier.objects.get(family=family)
        assert locations[family.pk] == [f"{page.url}envoye/{dossier.reference}/"] * POSTS_EACH
