"""Tariff decree pages: validation, accessible grids, "simulate my price", the open-data API, selectors."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.blocks import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from home import tariffs
from home.blocks import TariffServicesBlock, TrancheGridBlock
from home.models import TariffDecreePage
from home.selectors import decree_in_force
from home.services import tariff_quote

from .conftest import make_decree

pytestmark = pytest.mark.django_db


def api_quote(decree, **params):
    return Client().get(f"/api/tarifs/{decree.pk}/quote", params)


def test_decree_page_renders_each_grid_as_an_accessible_table(council_a):
    decree = make_decree(council_a)
    html = Client().get(decree.url).content.decode()
    assert html.count("<caption>") == 5
    assert "<caption>Restauration scolaire : prix par repas</caption>" in html
    assert '<th scope="row">401 à 700</th><td>2,50\u00a0€</td><td>3,00\u00a0€</td>' in html
    assert '<th scope="row">1501 et plus</th>' in html
    assert '<th scope="col">MSA ou non-allocataires</th>' in html
    assert "0,0619\u00a0%" in html and "814,62\u00a0€" in html
    assert "Arrêté du maire n° 2025-112 du 30 juin 2025" in html
    assert '<form method="get"' in html


def test_simulate_my_price_without_javascript(council_a):
    decree = make_decree(council_a)
    query = {"service": "alsh-journee", "qf": "650", "resident": "false", "children": "2"}
    response = Client().get(decree.url, {**query, "provider": "caf"})
    html = response.content.decode()
    assert "Votre tarif : 2,88\u00a0€ par journée" in html
    assert "Famille non résidente : majoration de 15\u00a0%, 2,50\u00a0€ × 1,15 = 2,875\u00a0€." in html
    # An MSA family pays the decree's MSA column: 3.00 x 1.15.
    html = Client().get(decree.url, {**query, "provider": "msa"}).content.decode()
    assert "Votre tarif : 3,45\u00a0€ par journée" in html
    # Without saying where the QF comes from, no column is guessed: the family is asked.
    html = Client().get(decree.url, query).content.decode()
    assert 'href="#sim-provider"' in html and "Votre tarif" not in html
    error = Client().get(decree.url, {"service": "cantine", "qf": "-3"}).content.decode()
    assert 'href="#sim-qf"' in error and "Votre tarif" not in error


def test_decree_validation(council_a):
    decree = make_decree(council_a)
    decree.non_resident_surcharge = Decimal("15.5")
    decree.valid_to = date(2025, 1, 1)
    with pytest.raises(ValidationError) as error:
        decree.full_clean()
    assert {"non_resident_surcharge", "valid_to"} <= set(error.value.message_dict)
    other = make_decree(council_a, key="autre", title="Autre")
    other.key = "tarifs-2026"
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "key" in error.value.message_dict


def test_tranche_block_refuses_gaps_overlaps_and_unordered_tranches():
    block = TrancheGridBlock()

    def value(*bounds):
        return block.to_python(
            {
                "key": "alsh",
                "label": "ALSH",
                "unit": "day",
                "columns": [],
                "tranches": [{"qf_min": lo, "qf_max": hi, "price": "2", "other_prices": []} for lo, hi in bounds],
            }
        )

    block.clean(value((0, 400), (401, None)))
    for bad in [((0, 400), (402, None)), ((0, 400), (400, None)), ((401, 800), (0, 400), (801, None)), ((0, 400),)]:
        with pytest.raises(StructBlockValidationError):
            block.clean(value(*bad))


def test_services_must_have_distinct_keys(council_a):
    decree = make_decree(council_a)
    decree.services = [decree.services.raw_data[0], decree.services.raw_data[0]]
    with pytest.raises(ValidationError) as error:
        decree.full_clean()
    assert "services" in error.value.message_dict


def test_a_decree_needs_at_least_one_service():
    with pytest.raises(StreamBlockValidationError):
        TariffServicesBlock().clean(TariffServicesBlock().to_python([]))


def test_grid_api_is_open_data_for_live_decrees_only(council_a):
    decree = make_decree(council_a)
    response = Client().get(f"/api/tarifs/{decree.pk}/")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["format"] == "portail-famille.tariff-decree"
    assert data["council"]["slug"] == "valmont"
    assert [s["key"] for s in data["services"]] == ["cantine", "cantine-college", "alsh-journee", "creche", "adhesion"]
    assert data["services"][2]["tranches"][1] == {
        "qf_min": 401,
        "qf_max": 700,
        "prices": {"caf": "2.50", "msa": "3.00"},
    }
    decree.unpublish()
    missing = Client().get(f"/api/tarifs/{decree.pk}/")
    assert missing.status_code == 404 and "tarif" in missing.json()["error"]
    assert api_quote(decree, service="cantine", qf="700").status_code == 404


@pytest.mark.parametrize(
    ("params", "amount", "unit"),
    [
        # 700 x 0.36 % = 2.52 is below this canteen's 2.60 floor (see test_tariffs.py).
        ({"service": "cantine", "qf": "700"}, "2.60", "meal"),
        ({"service": "cantine", "qf": "500"}, "2.60", "meal"),
        ({"service": "cantine", "qf": "1400"}, "4.50", "meal"),
        ({"service": "cantine-college", "qf": "700"}, "2.52", "meal"),
        ({"service": "creche", "resources": "3000", "children": "1"}, "1.86", "hour"),
        ({"service": "creche", "resources": "3000", "children": "2", "aeeh": "1"}, "1.24", "hour"),
        ({"service": "alsh-journee", "qf": "700", "provider": "caf"}, "2.50", "day"),
        ({"service": "alsh-journee", "qf": "701", "column": "msa"}, "3.50", "day"),
        ({"service": "alsh-journee", "qf": "410", "provider": "msa", "resident": "false"}, "3.45", "day"),
        ({"service": "alsh-journee", "qf": "700", "provider": "caf", "resident": "false"}, "2.88", "day"),
        ({"service": "alsh-journee", "proof": "false"}, "14.50", "day"),  # the no-proof column
        ({"service": "adhesion", "resident": "non"}, "11.50", "year"),
    ],
)
def test_quote_api_answers_the_real_figures(council_a, params, amount, unit):
    decree = make_decree(council_a)
    response = api_quote(decree, **params)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["amount"], data["currency"], data["unit"]) == (amount, "EUR", unit)
    assert data["explanation"][0] == "Tarif fixé par : Arrêté du maire n° 2025-112 du 30 juin 2025."
    assert data["decree"]["id"] == decree.pk and data["decree"]["key"] == "tarifs-2026"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"qf": "700"}, "service"),
        ({"service": "piscine", "qf": "700"}, "service"),
        ({"service": "cantine", "qf": "abc"}, "qf"),
        ({"service": "cantine", "qf": "-1"}, "qf"),
        ({"service": "cantine"}, "qf"),
        ({"service": "cantine", "qf": "700", "resident": "peut-être"}, "resident"),
        ({"service": "cantine", "qf": "700", "proof": "2"}, "proof"),
        ({"service": "creche", "children": "0", "resources": "3000"}, "children"),
        ({"service": "creche", "children": "1", "aeeh": "2", "resources": "3000"}, "aeeh"),
        ({"service": "creche"}, "resources"),
        ({"service": "creche", "resources": "trois mille"}, "resources"),
        ({"service": "alsh-journee", "qf": "700", "column": "ccas"}, "column"),
        ({"service": "alsh-journee", "qf": "700"}, "provider"),
        ({"service": "alsh-journee", "qf": "700", "provider": "ccas"}, "provider"),
    ],
)
def test_quote_api_bad_parameters_get_a_400_naming_the_parameter_in_french(council_a, params, parameter):
    decree = make_decree(council_a)
    response = api_quote(decree, **params)
    assert response.status_code == 400
    data = response.json()
    assert data["parameter"] == parameter
    assert data["error"].startswith(f"Paramètre « {parameter} » : ")


def test_quote_api_messages_stay_french_whatever_the_browser_language(council_a):
    decree = make_decree(council_a)
    response = Client().get(
        f"/api/tarifs/{decree.pk}/quote", {"service": "cantine", "qf": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"] == "Paramètre « qf » : Saisissez un nombre entier."


def test_quote_api_runs_a_bounded_number_of_queries(council_a, django_assert_max_num_queries):
    decree = make_decree(council_a)
    api_quote(decree, service="cantine", qf="700")  # warm the site cache
    with django_assert_max_num_queries(6):
        assert api_quote(decree, service="alsh-journee", qf="700", provider="caf").status_code == 200


def test_decree_in_force_and_tariff_quote(council_a, council_b):
    old = make_decree(council_a, key="tarifs-2025", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    current = make_decree(council_a)
    make_decree(council_b, key="tarifs-2026-b", valid_from=date(2026, 6, 1))
    assert decree_in_force(council=council_a, on=date(2025, 6, 1)) == old
    assert decree_in_force(council=council_a, on=date(2026, 6, 1)) == current
    assert decree_in_force(council=council_a, on=date(2024, 6, 1)) is None
    assert decree_in_force(council=council_a, on=date(2026, 6, 1), service_key="piscine") is None
    decree = TariffDecreePage.objects.get(pk=current.pk)
    result = tariff_quote(decree=decree, service_key="cantine", household=tariffs.Household(qf=1400))
    assert result.amount == Decimal("4.50")
