"""A new version of the rules: the family is asked to accept it again when it next logs in."""

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from home.selectors import rules_pages_to_accept_again
from tests.conftest import make_family
from tests.home.conftest import accept, make_rules, republish


def log_in(email: str, password: str = "famille-password-123"):
    client = Client(HTTP_HOST="localhost")
    response = client.post("/compte/login/", {"login": email, "password": password})
    assert response.status_code == 302
    return client, response["Location"]


def test_family_is_asked_to_accept_a_new_version_at_login(council_a):
    rules = make_rules(council_a)
    family = make_family("famille.regles@example.fr")
    accept(rules, family)
    assert rules_pages_to_accept_again(council=council_a, user=family) == []

    republish(
        rules,
        body="<p>Article 1 modifié : inscriptions en ligne uniquement.</p>",
        effective_date=timezone.localdate() - timedelta(days=1),
    )
    assert rules_pages_to_accept_again(council=council_a, user=family) == [rules]

    client, location = log_in("famille.regles@example.fr")
    assert location.startswith(f"{rules.url}accepter/")
    page = client.get(location)
    assert page.status_code == 200
    assert "version 2" in page.content.decode().lower()

    accepted = client.post(location, {"guardian_name": "Camille Martin", "accept": "on"})
    assert accepted.status_code == 302
    receipt = client.get(accepted["Location"])
    assert 'href="/"' in receipt.content.decode()  # back to where the login was going
    assert rules_pages_to_accept_again(council=council_a, user=family) == []


def test_family_with_the_version_in_force_goes_straight_on(council_a):
    rules = make_rules(council_a, effective_date=date(2025, 1, 1))
    family = make_family("famille.ajour@example.fr")
    accept(rules, family)
    _client, location = log_in("famille.ajour@example.fr")
    assert location == "/"


def test_a_family_that_never_accepted_is_not_stopped_at_login(council_a):
    make_rules(council_a)
    make_family("famille.nouvelle@example.fr")
    _client, location = log_in("famille.nouvelle@example.fr")
    assert location == "/"


def test_families_who_accepted_an_earlier_version_are_emailed_once_and_see_it_in_their_space(
    council_a, django_capture_on_commit_callbacks
):
    from django.core import mail
    from wagtail.models import Site

    from home.tasks import rules_update_notify

    Site.objects.filter(root_page=council_a).update(port=8765)
    rules = make_rules(council_a)
    told, newcomer = make_family("famille.regles@example.fr"), make_family("famille.nouvelle@example.fr")
    accept(rules, told)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        republish(rules, body="<p>Article 1 modifié.</p>", effective_date=timezone.localdate())
    (message,) = mail.outbox
    assert message.to == [told.email]
    assert message.subject == f"Ville de Valmont : nouveau règlement « {rules.title} » à accepter"
    link = f"http://localhost:8765{rules.url}accepter/"
    assert message.body.startswith("Bonjour,\n\nVille de Valmont a publié une nouvelle version")
    assert link in message.body and message.body.endswith("Ville de Valmont\nhttp://localhost:8765/")
    version = rules.versions.order_by("-number").first()
    rules_update_notify.enqueue(version.pk)  # a second run tells nobody twice
    assert len(mail.outbox) == 1

    client, _location = log_in(told.email)
    space = client.get("/espace-famille/").content.decode()
    assert "Nouveau règlement à accepter" in space and f'href="{rules.url}accepter/"' in space
    other, _location = log_in(newcomer.email)
    assert "Nouveau règlement à accepter" not in other.get("/espace-famille/").content.decode()
