"""Deliberations: the préfecture's acknowledgement, the page, the council's filtered listing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from home.validators import validate_actes_acknowledgement_id, validate_actes_code

from .conftest import make_deliberation, make_deliberation_index

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    ["021-212103907-20220629-DELIB2022-41-DE", "02A-212103907-20250101-29_2025-AR", "975-212103907-20240229-1-DE"],
)
def test_valid_acknowledgement_ids(value):
    validate_actes_acknowledgement_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("021-212103907-20220629-DELIB2022-41", "invalid"),  # no type
        ("21-212103907-20220629-DELIB2022-41-DE", "invalid"),  # two-digit département
        ("021-212103908-20220629-DELIB2022-41-DE", "invalid_siren"),
        ("021-212103907-20220230-DELIB2022-41-DE", "invalid_date"),
        ("021-212103907-20220629-DELIB 2022-DE", "invalid"),
        ("021-212103907-20220629-DELIB2022-41-XX", "invalid"),
    ],
)
def test_invalid_acknowledgement_ids(value, code):
    with pytest.raises(ValidationError) as error:
        validate_actes_acknowledgement_id(value)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("value", "valid"), [("7.10", True), ("8.2", True), ("5", True), ("7.10.1", True), ("0.1", False), ("7,1", False)]
)
def test_actes_codes(value, valid):
    if valid:
        validate_actes_code(value)
    else:
        with pytest.raises(ValidationError):
            validate_actes_code(value)


def test_deliberation_page_refuses_a_bad_acknowledgement_and_inconsistent_dates(council_a):
    index = make_deliberation_index(council_a)
    page = make_deliberation(index, "2022-41", session_date=date(2022, 6, 29))
    page.acknowledgement_id = "021-212103907-2022-06-29-DE"
    page.sent_on = date(2022, 6, 1)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert set(error.value.message_dict) == {"acknowledgement_id", "sent_on"}


def test_deliberation_page_renders_vote_and_acknowledgement(council_a):
    index = make_deliberation_index(council_a)
    page = make_deliberation(
        index,
        "2022-41",
        session_date=date(2022, 6, 29),
        votes_for=23,
        votes_against=2,
        abstentions=4,
        acknowledgement_id="021-212103907-20220629-DELIB2022-41-DE",
        sent_on=date(2022, 6, 30),
        received_on=date(2022, 6, 30),
        published_on=date(2022, 7, 1),
    )
    page.full_clean()
    response = Client().get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "021-212103907-20220629-DELIB2022-41-DE" in html
    assert '<th scope="col">' in html and "<caption>" in html
    assert "<td>23</td><td>2</td><td>4</td>" in html


def test_index_lists_newest_first_and_filters_by_year_code_and_words(council_a):
    index = make_deliberation_index(council_a)
    make_deliberation(index, "2023-12", session_date=date(2023, 3, 1), code="8.2", title="Règlement du centre social")
    make_deliberation(index, "2025-41", session_date=date(2025, 6, 27), code="7.10", title="Tarifs de la cantine")
    make_deliberation(index, "2024-07", session_date=date(2024, 2, 1), code="7.1", title="Budget primitif")
    client = Client()

    def numbers(**params):
        response = client.get(index.url, params)
        assert response.status_code == 200
        return [d.number for d in response.context["deliberations"]]

    assert numbers() == ["2025-41", "2024-07", "2023-12"]
    assert numbers(year="2024") == ["2024-07"]
    assert numbers(code="7") == ["2025-41", "2024-07"]
    assert numbers(code="7.1") == ["2024-07"]
    assert numbers(q="cantine") == ["2025-41"]
    assert numbers(q="2023-12") == ["2023-12"]
    assert numbers(year="abc") == ["2025-41", "2024-07", "2023-12"]
    assert client.get(index.url, {"q": "cantine"}).context["years"] == [2025, 2024, 2023]


def test_index_is_paginated_and_keeps_filters(council_a):
    index = make_deliberation_index(council_a)
    for n in range(1, 23):
        make_deliberation(index, f"2025-{n:02d}", session_date=date(2025, 1, n))
    response = Client().get(index.url, {"year": "2025"})
    assert len(response.context["deliberations"]) == 20
    assert "?year=2025&amp;page=2" in response.content.decode()
    second = Client().get(index.url, {"year": "2025", "page": "2"})
    assert [d.number for d in second.context["deliberations"]] == ["2025-02", "2025-01"]


def test_unpublished_deliberations_are_not_listed(council_a):
    index = make_deliberation_index(council_a)
    make_deliberation(index, "2025-01")
    draft = make_deliberation(index, "2025-02")
    draft.unpublish()
    response = Client().get(index.url)
    assert [d.number for d in response.context["deliberations"]] == ["2025-01"]
