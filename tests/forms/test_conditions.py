"""Display conditions evaluated on the server."""

import datetime

import pytest

from forms.engine.conditions import age_on, describe, evaluate

TODAY = datetime.date(2026, 9, 1)


def cond(operator, value="", field="q", reference_date=None):
    return {"field": field, "operator": operator, "value": value, "reference_date": reference_date}


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("equals", "oui", True, True),
        ("equals", "Oui", False, False),
        ("equals", "non", False, True),
        ("equals", "Cantine", "cantine", True),
        ("equals", "3", 3, True),
        ("equals", "3,5", "3.5", True),
        ("equals", "Cantine", ["Garderie", "Cantine"], True),
        ("not_equals", "oui", False, True),
        ("not_equals", "oui", None, True),
        ("equals", "oui", None, False),
        ("one_of", "Lundi; Mardi", "mardi", True),
        ("one_of", "Lundi; Mardi", "Jeudi", False),
        ("is_empty", "", "", True),
        ("is_empty", "", [], True),
        ("is_empty", "", "x", False),
        ("is_not_empty", "", "x", True),
        ("greater_than", "2", 3, True),
        ("greater_than", "2", "2", False),
        ("less_than", "1000", "650", True),
        ("less_than", "01/01/2020", "2019-12-31", True),
        ("greater_than", "2", "abc", False),
    ],
)
def test_operators(operator, value, answer, expected):
    assert evaluate(cond(operator, value), {"q": answer}, today=TODAY) is expected


def test_no_condition_means_shown():
    assert evaluate(None, {}, today=TODAY)
    assert evaluate({"field": "", "operator": "equals", "value": "x"}, {}, today=TODAY)


def test_age_at_reference_date():
    born = "2018-09-02"  # 8 years old on 2 September 2026
    assert evaluate(cond("age_at_least", "8"), {"q": born}, today=TODAY) is False
    assert evaluate(cond("age_under", "8"), {"q": born}, today=TODAY) is True
    assert evaluate(cond("age_at_least", "8", reference_date="2026-12-31"), {"q": born}, today=TODAY) is True
    assert evaluate(cond("age_at_least", "8"), {"q": None}, today=TODAY) is False


def test_age_on_birthday_and_leap_day():
    assert age_on(datetime.date(2018, 9, 1), TODAY) == 8
    assert age_on(datetime.date(2016, 2, 29), datetime.date(2026, 2, 28)) == 9
    assert age_on(datetime.date(2016, 2, 29), datetime.date(2026, 3, 1)) == 10


def test_describe_is_a_sentence():
    text = describe(cond("equals", "oui"), field_label="Votre enfant a-t-il un PAI ?")
    assert "Votre enfant a-t-il un PAI ?" in text
    assert "oui" in text
