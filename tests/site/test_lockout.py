"""Audit items 2 and 3: one lockout policy (django-axes) for every way of signing in, per account and per
address, stored in the database; password reset requests limited on both reset forms.

Each test prints what it tried and what held (run with ``-s``) for the audit's figures."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import make_family, make_staff

pytestmark = pytest.mark.django_db

FAMILY_LOGIN = "/compte/login/"
ADMIN_LOGIN = "/admin/login/"
WAGTAIL_LOGIN = "/_util/login/"
PASSWORD = "famille-password-123"


def attempt(client: Client, path: str, identifier: str, password: str):
    field = "login" if path == FAMILY_LOGIN else "username"
    return client.post(path, {field: identifier, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_familys_wrong_tries_on_every_login_form_count_together(council_a, family):
    limit = settings.AXES_FAILURE_LIMIT
    paths = [FAMILY_LOGIN, ADMIN_LOGIN, WAGTAIL_LOGIN]
    tried = 0
    for number in range(limit):  # spread over the three forms, as an attacker would
        client = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")  # and from as many addresses
        response = attempt(client, paths[number % 3], family.email, f"wrong-{number}")
        tried += 1
        # The try that reaches the limit is answered with the lockout page already.
        assert response.status_code == (429 if number == limit - 1 else 200) and not logged_in(client)
    held = 0
    for path in [*paths, *paths]:
        client = Client(REMOTE_ADDR="198.51.100.7")
        response = attempt(client, path, family.email.upper(), PASSWORD)  # the right password, any case
        held += response.status_code == 429 and not logged_in(client)
        assert client.get("/espace-famille/").status_code == 302  # no session reads the family space
    print(f"family account: {tried} wrong tries, then the right password on 3 forms: {held}/6 refused")
    assert held == 6
    response = attempt(Client(), FAMILY_LOGIN, family.email, PASSWORD)
    assert "Trop de tentatives" in response.text and "Veuillez réessayer après" in response.text


def test_the_lockout_ends_after_the_cool_off(council_a, family):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(REMOTE_ADDR=f"203.0.113.{number + 1}"), FAMILY_LOGIN, family.email, "wrong")
    assert attempt(Client(), FAMILY_LOGIN, family.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    client = Client()
    assert attempt(client, FAMILY_LOGIN, family.email, PASSWORD).status_code == 302 and logged_in(client)


def test_one_address_trying_many_accounts_is_locked_out(council_a):
    limit = settings.AXES_FAILURE_LIMIT
    families = [make_family(f"famille{n}@example.fr") for n in range(limit + 1)]
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    statuses = [attempt(attacker, ADMIN_LOGIN, target.email, "wrong").status_code for target in families[:limit]]
    assert statuses == [200] * (limit - 1) + [429]
    # The right password of an account never tried, from that address: refused; from another: accepted.
    assert attempt(attacker, FAMILY_LOGIN, families[-1].email, PASSWORD).status_code == 429
    assert not logged_in(attacker)
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")
    assert attempt(elsewhere, FAMILY_LOGIN, families[-1].email, PASSWORD).status_code == 302
    print(f"one address: {limit} accounts tried, the next login from it refused")


def test_staff_password_login_is_limited_too(council_a):
    staff = make_staff("editeur.limite")
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        attempt(Client(REMOTE_ADDR=f"203.0.113.{number + 1}"), ADMIN_LOGIN, "editeur.limite", "x").status_code
        for number in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    client = Client()
    response = attempt(client, ADMIN_LOGIN, "Editeur.Limite", "staff-password-123")
    print(f"staff account: {limit} wrong tries, then the right password: {response.status_code}")
    assert response.status_code == 429 and not logged_in(client)
    assert staff.is_active


def test_an_attackers_own_login_does_not_clear_the_count_of_its_address(council_a, family):
    attacker_account = make_family("attaquant@example.fr")
    attacker = Client(REMOTE_ADDR="192.0.2.99")
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(attacker, FAMILY_LOGIN, f"victime{number}@example.fr", "wrong").status_code == 200
    assert attempt(attacker, FAMILY_LOGIN, attacker_account.email, PASSWORD).status_code == 302
    attacker.logout()
    assert attempt(attacker, FAMILY_LOGIN, family.email, "wrong").status_code == 429


@pytest.mark.parametrize("path", ["/admin/password_reset/", "/compte/password/reset/"])
def test_password_reset_requests_are_limited_per_account(council_a, family, path, mailoutbox):
    statuses = [
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(path, {"email": family.email}).status_code for n in range(8)
    ]
    print(f"password reset {path}: 8 requests, statuses {statuses}, {len(mailoutbox)} emails sent")
    assert statuses[0] == 302 and statuses[-1] == 429
    assert len(mailoutbox) <= 5


def test_a_private_pages_password_is_limited_like_a_login(council_a):
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(page=council_a, restriction_type="password", password="bon-mdp")
    url = f"/_util/authenticate_with_password/{restriction.pk}/{council_a.pk}/"
    statuses = [
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(url, {"password": f"faux-{n}", "return_url": "/"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = Client().post(url, {"password": "bon-mdp", "return_url": "/"})
    print(f"private page password: {len(statuses)} wrong tries, then the right one: {right.status_code}")
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert right.status_code == 429
