"""Each family account with dossiers gets its household for each council it filed with (issue 17), built
from its latest validated (else latest) dossier famille: a dossier of a form that says something about the
household (its children, its address or its QF). Nothing stored is changed: dossiers stay as they were."""

import datetime

from django.db import migrations

from forms.engine import roles
from forms.engine.definition import Definition
from forms.family.household_services import children_from_answers, guardians_from_answers


def _says_about_household(dossier) -> bool:
    definition = Definition(steps=dossier.definition or [])
    return bool(
        dossier.form_page.qf_key
        or definition.field_with_role(roles.CHILDREN)
        or definition.field_with_role(roles.HOUSEHOLD_ADDRESS)
    )


def _fill(household, source, apps) -> None:
    HouseholdGuardian = apps.get_model("forms", "HouseholdGuardian")
    HouseholdChild = apps.get_model("forms", "HouseholdChild")
    definition = Definition(steps=source.definition or [])
    validated = source.status == "validated"
    address_spec = definition.field_with_role(roles.HOUSEHOLD_ADDRESS)
    address = source.answers.get(address_spec["key"]) if address_spec else None
    if isinstance(address, dict):
        for part in ("street", "complement", "postcode", "city", "insee"):
            setattr(household, f"address_{part}", (address.get(part) or "")[:255])
    if source.form_page.qf_key and source.qf is not None:
        household.qf, household.qf_provider, household.qf_month = source.qf, source.qf_source, source.qf_month
        household.qf_verified = validated and bool(source.qf_source)
        origin = source.provenance.get(source.form_page.qf_key) or {}
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
