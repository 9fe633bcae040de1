"""Each family account with dossiers gets its household for each council it filed with (issue 17), built
from its latest validated (else latest) dossier famille: a dossier of a form that says something about the
household (its children, its address or its QF). Nothing stored is changed: dossiers stay as they were.

Self-contained: it reads plain definitions with the little logic copied below (the roles as they were named
when it was written), never live app code, so that later changes to the code cannot change what it does.
"""

import datetime

from django.db import migrations

CHILD_ATTRIBUTES = {
    "child_sex": "sex",
    "child_school": "school",
    "child_class": "school_class",
    "child_aeeh": "aeeh",
    "child_diet": "diet",
}
NAME_MEANINGS = {"first_name": "first_name", "last_name": "last_name"}
GUARDIAN_ROLES = {"guardian_phone": "phone", "guardian_email": "email"}


def _top_fields(definition):
    for step in definition or []:
        yield from step.get("fields") or []


def _with_role(definition, role):
    """The first top-level field declaring ``role`` (its option ``role``, a short text's ``meaning``)."""
    return next((spec for spec in _top_fields(definition) if (spec.get("role") or spec.get("meaning")) == role), None)


def _qf_key(dossier) -> str:
    """The key of the dossier's QF field: its page's setting ``qf_key`` here in the history (0016 turns it into
    the field's role "family_qf", which is read when this runs on today's models, as its test does)."""
    qf_key = getattr(dossier.form_page, "qf_key", None)
    if qf_key is not None:
        return qf_key
    spec = _with_role(dossier.definition, "family_qf")
    return spec["key"] if spec else ""


def _child_attribute(spec, value):
    if spec.get("meaning") in NAME_MEANINGS:
        return NAME_MEANINGS[spec["meaning"]], (value or "").strip()
    role = spec.get("role")
    if role == "birth_date" or (role is None and spec["type"] == "date"):
        return "birth_date", value.isoformat() if isinstance(value, datetime.date) else str(value or "")
    if role == "child_aeeh":
        return "aeeh", value in (True, "oui", "yes")
    if role == "child_sex":
        text = str(value or "").strip().upper()
        return "sex", text[:1] if text[:1] in ("F", "M") else ""
    if role in CHILD_ATTRIBUTES:
        return CHILD_ATTRIBUTES[role], str(value or "").strip()
    return None


def children_from_answers(*, definition, answers):
    group = _with_role(definition, "children")
    if group is None:
        return []
    children = []
    for item in answers.get(group["key"]) or []:
        child = {}
        for spec in group.get("fields", []):
            if spec.get("health"):
                continue
            found = _child_attribute(spec, item.get(spec["key"]))
            if found is not None and found[0] not in child:
                child[found[0]] = found[1]
        if child.get("first_name"):
            children.append(child)
    return children


def guardians_from_answers(*, definition, answers):
    columns = {"last_name": [], "first_name": [], "phone": [], "email": []}
    for spec in _top_fields(definition):
        if spec["type"] == "group" or spec.get("health") or spec.get("key") not in answers:
            continue
        attribute = NAME_MEANINGS.get(spec.get("meaning")) or GUARDIAN_ROLES.get(spec.get("role"))
        if attribute:
            columns[attribute].append(str(answers.get(spec["key"]) or "").strip())
    guardians = []
    for number in range(max(len(values) for values in columns.values())):
        guardian = {name: values[number] if number < len(values) else "" for name, values in columns.items()}
        if guardian["last_name"] or guardian["first_name"]:
            guardians.append(guardian)
    return guardians


def _says_about_household(dossier) -> bool:
    return bool(
        _qf_key(dossier)
        or _with_role(dossier.definition, "children")
        or _with_role(dossier.definition, "household_address")
    )


def _fill(household, source, apps) -> None:
    HouseholdGuardian = apps.get_model("forms", "HouseholdGuardian")
    HouseholdChild = apps.get_model("forms", "HouseholdChild")
    definition = source.definition or []
    validated = source.status == "validated"
    address_spec = _with_role(definition, "household_address")
    address = source.answers.get(address_spec["key"]) if address_spec else None
    if isinstance(address, dict):
        for part in ("street", "complement", "postcode", "city", "insee"):
            setattr(household, f"address_{part}", (address.get(part) or "")[:255])
    qf_key = _qf_key(source)
    if qf_key and source.qf is not None:
        household.qf, household.qf_provider, household.qf_month = source.qf, source.qf_source, source.qf_month
        household.qf_verified = validated and bool(source.qf_source)
        origin = source.provenance.get(qf_key) or {}
        household.qf_provenance = {key: value for key, value in origin.items() if key != "raw"}
    if validated:
        household.verified_at = source.validated_at
    household.save()
    guardians = []
    for position, guardian in enumerate(guardians_from_answers(definition=definition, answers=source.answers), 1):
        guardians.append(
            HouseholdGuardian.objects.create(household=household, position=position, verified=validated, **guardian)
        )
    for child in children_from_answers(definition=definition, answers=source.answers):
        birth = child.pop("birth_date", "")
        made = HouseholdChild.objects.create(
            household=household,
            verified=validated,
            birth_date=datetime.date.fromisoformat(birth) if birth else None,
            **child,
        )
        made.guardians.set(guardians)


def forwards(apps, schema_editor):
    Dossier = apps.get_model("forms", "Dossier")
    Household = apps.get_model("forms", "Household")
    HouseholdAccount = apps.get_model("forms", "HouseholdAccount")
    HouseholdEvent = apps.get_model("forms", "HouseholdEvent")
    pairs = Dossier.objects.filter(family__isnull=False).values_list("family_id", "council_id").distinct()
    for family_id, council_id in sorted(set(pairs)):
        if HouseholdAccount.objects.filter(user_id=family_id, council_id=council_id).exists():
            continue
        dossiers = Dossier.objects.filter(family_id=family_id, council_id=council_id).select_related("form_page")
        candidates = [d for d in dossiers.order_by("-submitted_at", "-pk") if _says_about_household(d)]
        source = next((d for d in candidates if d.status == "validated"), candidates[0] if candidates else None)
        household = Household.objects.create(council_id=council_id)
        HouseholdAccount.objects.create(household=household, user_id=family_id, council_id=council_id)
        if source is not None:
            _fill(household, source, apps)
        HouseholdEvent.objects.create(
            household=household,
            kind="created",
            dossier=source,
            comment="Foyer constitué à partir des dossiers existants.",
        )


class Migration(migrations.Migration):
    dependencies = [("forms", "0014_household")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
