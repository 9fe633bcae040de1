"""Dates on the site read as in French: "1er septembre", never "1 septembre"."""

import datetime

from django.template import engines
from django.utils import translation


def render(source: str, **context) -> str:
    with translation.override("fr"):
        return engines["django"].from_string(source).render(context)


def test_the_first_of_the_month_is_written_1er():
    first = datetime.datetime(2026, 9, 1, 9, 5, tzinfo=datetime.UTC)
    assert render('{{ d|date_fr:"j F Y" }}', d=first.date()) == "1er septembre 2026"
    assert render('{{ d|date_fr:"l j F Y, H:i" }}', d=first) == "mardi 1er septembre 2026, 11:05"


def test_other_days_and_missing_dates_are_unchanged():
    assert render('{{ d|date_fr:"j F Y" }}', d=datetime.date(2026, 9, 11)) == "11 septembre 2026"
    assert render('{{ d|date_fr:"j F Y" }}', d=datetime.date(2026, 9, 21)) == "21 septembre 2026"
    assert render('{{ d|date_fr:"j F Y"|default:"–" }}', d=None) == "–"
