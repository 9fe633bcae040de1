"""Staff admin: habilitations and call log limited to the staff member's councils; token write-only."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from connectors.models import ApiCallLog, Habilitation
from tests.conftest import otp_client

from .conftest import make_habilitation

pytestmark = pytest.mark.django_db

PERMISSIONS = ["view_habilitation", "add_habilitation", "change_habilitation", "delete_habilitation", "view_apicalllog"]
HAB_URL = "/admin/connectors/habilitation/"
LOG_URL = "/admin/connectors/apicalllog/"


def grant(user):
    for group in user.groups.all():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="connectors", codename__in=PERMISSIONS)
        )


@pytest.fixture
def setup(council_a, council_b, editor_a, editor_b):
    grant(editor_a)
    grant(editor_b)
    hab_a = make_habilitation(council_a, title="Habilitation Valmont")
    hab_b = make_habilitation(council_b, title="Habilitation Bellerive", token="demo-qf-enfants")
    log_a = ApiCallLog.objects.create(
        council=council_a, habilitation=hab_a, route="/v3/x", outcome="ok", request_id="rid-valmont",
        purge_after=timezone.now(),
    )  # fmt: skip
    return hab_a, hab_b, log_a


def test_staff_see_only_their_councils_habilitations(setup, editor_b):
    response = otp_client(editor_b).get(HAB_URL)
    assert response.status_code == 200
    assert "Habilitation Bellerive" in response.text and "Habilitation Valmont" not in response.text


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_staff_of_another_council_cannot_open_its_habilitation(setup, editor_b, action):
    hab_a, _hab_b, _log = setup
    client = otp_client(editor_b)
    assert client.get(f"{HAB_URL}{action}/{hab_a.pk}/").status_code == 404
    assert client.post(f"{HAB_URL}{action}/{hab_a.pk}/", {"title": "piraté"}).status_code == 404
    hab_a.refresh_from_db()
    assert hab_a.title == "Habilitation Valmont"


def test_call_log_is_limited_to_the_council(setup, editor_a, editor_b):
    _hab_a, _hab_b, log_a = setup
    assert "rid-valmont" not in otp_client(editor_b).get(LOG_URL).text
    assert otp_client(editor_b).get(f"{LOG_URL}inspect/{log_a.pk}/").status_code == 404
    assert "rid-valmont" in otp_client(editor_a).get(LOG_URL).text
    assert otp_client(editor_a).get(f"{LOG_URL}inspect/{log_a.pk}/").status_code == 200


def test_the_token_is_never_shown_again(setup, editor_a):
    hab_a, _hab_b, _log = setup
    response = otp_client(editor_a).get(f"{HAB_URL}edit/{hab_a.pk}/")
    assert response.status_code == 200
    assert "demo-qf-complet" not in response.text and hab_a.token_encrypted not in response.text


def form_data(council, **changes) -> dict:
    data = {
        "council": council.pk, "datapass_id": "DP-42", "title": "QF cantine", "purpose": "Tarifs de la cantine",
        "legal_basis": "public_task", "legal_basis_reference": "", "recipient_siret": "", "scopes": ["cnaf_quotient_familial"],
        "modalities": ["params"], "retention_months": "6", "valid_from": "2026-01-01", "valid_until": "", "state": "active",
        "new_token": "jeton-secret-1234", "token_env_var": "", "business_contact_name": "", "business_contact_email": "",
        "technical_contact_name": "", "technical_contact_email": "", "dpo_name": "", "dpo_email": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_creating_a_habilitation_stores_the_token_encrypted(council_a, editor_a):
    grant(editor_a)
    response = otp_client(editor_a).post(f"{HAB_URL}create/", form_data(council_a))
    assert response.status_code == 302, response.text[:3000]
    habilitation = Habilitation.objects.get(datapass_id="DP-42")
    assert habilitation.scopes == ["cnaf_quotient_familial"] and habilitation.recipient == council_a.siret
    assert habilitation.get_token() == "jeton-secret-1234"
    assert "jeton-secret-1234" not in habilitation.token_encrypted


def test_a_habilitation_cannot_be_created_for_another_council(council_a, council_b, editor_b):
    grant(editor_b)
    response = otp_client(editor_b).post(f"{HAB_URL}create/", form_data(council_a))
    assert response.status_code == 200  # the form comes back with an error on the council
    assert not Habilitation.objects.exists()


def test_the_recipient_siret_is_validated(council_a, editor_a):
    grant(editor_a)
    response = otp_client(editor_a).post(f"{HAB_URL}create/", form_data(council_a, recipient_siret="21219990500011"))
    assert response.status_code == 200 and not Habilitation.objects.exists()


@pytest.mark.parametrize(
    "name", ["DJANGO_SECRET_KEY", "API_PARTICULIER_ENCRYPTION_KEY", "api_particulier_token_x", "PATH"]
)
def test_an_editor_cannot_name_another_secret_as_the_token_variable(council_a, editor_a, name):
    grant(editor_a)
    response = otp_client(editor_a).post(f"{HAB_URL}create/", form_data(council_a, new_token="", token_env_var=name))
    assert response.status_code == 200 and not Habilitation.objects.exists()
    assert "API_PARTICULIER_TOKEN_" in response.text


def test_an_editor_may_name_a_token_variable_with_the_fixed_prefix(council_a, editor_a):
    grant(editor_a)
    data = form_data(council_a, new_token="", token_env_var="API_PARTICULIER_TOKEN_VALMONT")
    assert otp_client(editor_a).post(f"{HAB_URL}create/", data).status_code == 302
    assert Habilitation.objects.get(datapass_id="DP-42").token_env_var == "API_PARTICULIER_TOKEN_VALMONT"


def test_editing_without_a_new_token_keeps_the_old_one(setup, editor_a):
    hab_a, _hab_b, _log = setup
    data = form_data(hab_a.council, new_token="", title="Renommée", scopes=["cnaf_quotient_familial", "cnaf_enfants"])
    response = otp_client(editor_a).post(f"{HAB_URL}edit/{hab_a.pk}/", data)
    assert response.status_code == 302
    hab_a.refresh_from_db()
    assert hab_a.title == "Renommée" and hab_a.get_token() == "demo-qf-complet"
