"""Display conditions: pure evaluation of a condition on a family's answers (no Django models).

A condition is a plain dict ``{"field": key, "operator": op, "value": str, "reference_date": "YYYY-MM-DD"
| None}``. Answers are the JSON values stored in drafts and dossiers: strings, booleans, numbers (as
strings for decimals), ISO dates, lists (multiple choice) and dicts (addresses). A missing answer
counts as empty, so a field that depends on a hidden field stays hidden. ``static/forms/conditions.js``
mirrors these rules in the browser; the server is the reference.
"""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

EQUALS = "equals"
NOT_EQUALS = "not_equals"
ONE_OF = "one_of"
IS_EMPTY = "is_empty"
IS_NOT_EMPTY = "is_not_empty"
GREATER_THAN = "greater_than"
LESS_THAN = "less_than"
AGE_UNDER = "age_under"
AGE_AT_LEAST = "age_at_least"

OPERATORS = [
    (EQUALS, _("is equal to")),
    (NOT_EQUALS, _("is not equal to")),
    (ONE_OF, _("is one of (separate values with ;)")),
    (IS_EMPTY, _("is empty")),
    (IS_NOT_EMPTY, _("is not empty")),
    (GREATER_THAN, _("is greater than")),
    (LESS_THAN, _("is less than")),
    (AGE_UNDER, _("age (from this date of birth) is under N years")),
    (AGE_AT_LEAST, _("age (from this date of birth) is N years or more")),
]
OPERATOR_LABELS = dict(OPERATORS)
# How an operator reads inside a sentence shown to families.
OPERATOR_PHRASES = {
    EQUALS: _("is"),
    NOT_EQUALS: _("is not"),
    ONE_OF: _("is one of"),
    IS_EMPTY: _("is empty"),
    IS_NOT_EMPTY: _("is filled in"),
    GREATER_THAN: _("is greater than"),
    LESS_THAN: _("is less than"),
}
OPERATORS_WITHOUT_VALUE = {IS_EMPTY, IS_NOT_EMPTY}
NUMERIC_OPERATORS = {GREATER_THAN, LESS_THAN, AGE_UNDER, AGE_AT_LEAST}
TRUE_WORDS = {"oui", "yes", "true", "vrai", "1"}
FALSE_WORDS = {"non", "no", "false", "faux", "0"}
FRENCH_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ConditionError(ValueError):
    """A condition that cannot be evaluated as written (bad operator or value)."""


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def parse_date(value: Any) -> datetime.date | None:
    """A date from an ISO string (``2018-05-31``), a French one (``31/05/2018``) or a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = FRENCH_DATE_RE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Age in whole years on a given day (a child born on 29 February ages on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _same(answer: Any, expected: str) -> bool:
    """Whether an answer equals a value typed by an editor, comparing like with like."""
    expected = expected.strip()
    if isinstance(answer, bool):
        word = expected.casefold()
        return (word in TRUE_WORDS and answer) or (word in FALSE_WORDS and not answer)
    if isinstance(answer, list):
        return any(_same(item, expected) for item in answer)
    if isinstance(answer, int | float | Decimal):
        number = parse_number(expected)
        return number is not None and Decimal(str(answer)) == number
    if isinstance(answer, str):
        answer_date, expected_date = parse_date(answer), parse_date(expected)
        if answer_date and expected_date:
            return answer_date == expected_date
        answer_number, expected_number = parse_number(answer), parse_number(expected)
        if answer_number is not None and expected_number is not None:
            return answer_number == expected_number
        return answer.strip().casefold() == expected.casefold()
    return False


def _compare(answer: Any, expected: str) -> int | None:
    """-1, 0 or 1 comparing an answer with a typed value (numbers, else dates); None if not comparable."""
    left, right = parse_number(answer), parse_number(expected)
    if left is None or right is None:
        left, right = parse_date(answer), parse_date(expected)
    if left is None or right is None:
        return None
    return (left > right) - (left < right)


def one_of_values(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;\n]", value or "") if item.strip()]


def evaluate(condition: Mapping[str, Any] | None, answers: Mapping[str, Any], *, today: datetime.date) -> bool:
    """Whether a field (or step) with this condition is shown, given the answers so far.

    No condition (``None`` or no field) means always shown. ``today`` is the default reference date
    of age conditions.
    """
    if not condition or not condition.get("field"):
        return True
    operator = condition.get("operator") or EQUALS
    expected = str(condition.get("value") or "")
    answer = answers.get(condition["field"])
    if operator == IS_EMPTY:
        return is_empty(answer)
    if operator == IS_NOT_EMPTY:
        return not is_empty(answer)
    if is_empty(answer):
        return operator == NOT_EQUALS
    if operator == EQUALS:
        return _same(answer, expected)
    if operator == NOT_EQUALS:
        return not _same(answer, expected)
    if operator == ONE_OF:
        return any(_same(answer, item) for item in one_of_values(expected))
    if operator in (GREATER_THAN, LESS_THAN):
        order = _compare(answer, expected)
        if order is None:
            return False
        return order > 0 if operator == GREATER_THAN else order < 0
    if operator in (AGE_UNDER, AGE_AT_LEAST):
        birth_date, years = parse_date(answer), parse_number(expected)
        if birth_date is None or years is None:
            return False
        on = parse_date(condition.get("reference_date")) or today
        age = age_on(birth_date, on)
        return age < years if operator == AGE_UNDER else age >= years
    raise ConditionError(f"Unknown operator {operator!r}")


def describe(condition: Mapping[str, Any], *, field_label: str) -> str:
    """A sentence for families without JavaScript: when the field has to be filled."""
    operator = condition.get("operator") or EQUALS
    if operator in OPERATORS_WITHOUT_VALUE:
        return str(
            _("Only if “%(field)s” %(operator)s.") % {"field": field_label, "operator": OPERATOR_PHRASES[operator]}
        )
    if operator in (AGE_UNDER, AGE_AT_LEAST):
        template = (
            _("Only if the age from “%(field)s” is under %(value)s years.")
            if operator == AGE_UNDER
            else _("Only if the age from “%(field)s” is %(value)s years or more.")
        )
        return str(template % {"field": field_label, "value": condition.get("value")})
    return str(
        _("Only if “%(field)s” %(operator)s “%(value)s”.")
        % {"field": field_label, "operator": OPERATOR_PHRASES.get(operator, operator), "value": condition.get("value")}
    )
