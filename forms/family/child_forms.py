"""Forms about one child of the household (inscription enfant, autorisations, PAI): the family starts by
choosing the child (or adding one), the child's known values are filled in and kept with their provenance
(``{"provider": "household", "child": uuid, "known": value}``), so that the child's name shows everywhere
and a value the family corrects goes to the agent (a change of the household, before/after, at validation).
"""

import datetime
from typing import Any

from ..engine import roles
from ..engine.definition import Definition
from ..engine.fieldtypes import YesNoType
from ..models import Dossier, DossierStatus, Draft, FormPage
from .household import HouseholdChild
from .household_selectors import household_for

HOUSEHOLD_PROVIDER = "household"
# The top-level fields of a form about one child that read and write the child's attributes, by their role.
CHILD_ATTRIBUTES = {
    roles.CHILD: "first_name",
    roles.BIRTH_DATE: "birth_date",
    roles.CHILD_SEX: "sex",
    roles.CHILD_SCHOOL: "school",
    roles.CHILD_CLASS: "school_class",
    roles.CHILD_AEEH: "aeeh",
    roles.CHILD_DIET: "diet",
}
NAME_AND_BIRTH = ("first_name", "last_name", "birth_date")


def child_spec(definition: Definition) -> dict[str, Any] | None:
    """The field naming the child a form is about (role "child"), or None for a form about the household."""
    return definition.field_with_role(roles.CHILD)


def child_fields(definition: Definition) -> dict[str, str]:
    """``{key: attribute}`` of the top-level fields that hold the child's first name, last name, birth date,
    and its sex, school, class, AEEH and diet (fields of health data excepted: never in the household's
    ordinary part)."""
    if child_spec(definition) is None:
        return {}
    fields = {}
    for _index, spec in definition.fields():
        attribute = CHILD_ATTRIBUTES.get(spec.get("role"), "")
        if attribute and (attribute in NAME_AND_BIRTH or not spec.get("health")):
            fields[spec["key"]] = attribute
        elif spec.get("meaning") == roles.LAST_NAME and spec["type"] == "short_text":
            fields[spec["key"]] = "last_name"
    return fields


def _child_value(attribute: str, value: Any) -> Any:
    """An answer as the child's attribute ('' or None when it says nothing): a sex is its letter (F or M)."""
    if attribute == "aeeh":
        return None if value in (None, "") else YesNoType.is_yes(value)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value or "").strip()
    if attribute == "sex":
        return text[:1].upper() if text[:1].upper() in ("F", "M") else ""
    return text


def child_answer(spec: dict[str, Any], value: Any) -> Any:
    """A child's value on file as the answer of ``spec``: a sex (F or M) is the choice starting with it."""
    if spec.get("role") == roles.CHILD_SEX:
        return next((choice for choice in spec.get("choices", []) if choice[:1].upper() == value), value)
    return value


def child_of_answers(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """The child as a form about one child gives it (``{attribute: value}``), empty for other forms."""
    child = {}
    for key, attribute in child_fields(definition).items():
        value = _child_value(attribute, answers.get(key))
        if value not in (None, ""):
            child[attribute] = value
    return child if child.get("first_name") else {}


def draft_child_choose(*, draft: Draft, definition: Definition, child: HouseholdChild | None) -> Draft:
    """Start a form about one child with ``child`` of the household (None: a child not yet known)."""
    fields = child_fields(definition)
    specs = definition.field_by_key()
    for key in fields:
        draft.provenance.pop(key, None)
    if child is not None:
        values = {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "birth_date": child.birth_date.isoformat() if child.birth_date else "",
            "sex": child.sex,
            "school": child.school,
            "school_class": child.school_class,
            "aeeh": child.aeeh,
            "diet": child.diet,
        }
        for key, attribute in fields.items():
            if values[attribute] not in ("", None):
                answer = child_answer(specs[key], values[attribute])
                draft.answers[key] = answer
                draft.provenance[key] = {"provider": HOUSEHOLD_PROVIDER, "child": str(child.uuid), "known": answer}
    draft.save(update_fields=["answers", "provenance"])
    return draft


def known_values(draft_or_dossier) -> dict[str, Any]:
    """``{key: value on file}`` of the answers filled from the household ("already on file")."""
    return {
        key: origin["known"]
        for key, origin in (draft_or_dossier.provenance or {}).items()
        if isinstance(origin, dict) and origin.get("provider") == HOUSEHOLD_PROVIDER
    }


def dossier_child_uuid(dossier) -> str:
    """The household child a dossier is about (chosen at its start), or ''."""
    for origin in (dossier.provenance or {}).values():
        if isinstance(origin, dict) and origin.get("provider") == HOUSEHOLD_PROVIDER and origin.get("child"):
            return origin["child"]
    return ""


def children_to_choose(*, form_page: FormPage, user, council) -> list[dict[str, Any]]:
    """The household's children for the chooser, each with whether this form was already sent for them in
    the current period (a form about a child is filled once per child)."""
    household = household_for(user=user, council=council)
    if household is None:
        return []
    sent = Dossier.objects.filter(form_page=form_page, family=user).exclude(
        status__in=[DossierStatus.REFUSED, DossierStatus.CLOSED]
    )
    if form_page.opens_at:
        sent = sent.filter(submitted_at__gte=form_page.opens_at)
    done = {dossier_child_uuid(dossier) for dossier in sent}
    return [{"child": child, "done": str(child.uuid) in done} for child in household.children.all()]


def child_sent_this_period(*, form_page: FormPage, user, provenance: dict) -> Dossier | None:
    """The dossier of this form already sent in the period for the same child, or None."""
    wanted = next(
        (o["child"] for o in provenance.values() if isinstance(o, dict) and o.get("provider") == HOUSEHOLD_PROVIDER),
        "",
    )
    if not wanted:
        return None
    sent = Dossier.objects.filter(form_page=form_page, family=user).exclude(
        status__in=[DossierStatus.REFUSED, DossierStatus.CLOSED]
    )
    if form_page.opens_at:
        sent = sent.filter(submitted_at__gte=form_page.opens_at)
    return next((dossier for dossier in sent.order_by("-pk") if dossier_child_uuid(dossier) == wanted), None)


def dossier_child_name(dossier) -> str:
    """The name of the child a dossier is about (first and last name as sent), or ''."""
    child = child_of_answers(Definition(steps=dossier.definition or []), dossier.answers or {})
    return " ".join(part for part in (child.get("first_name"), child.get("last_name")) if part)
