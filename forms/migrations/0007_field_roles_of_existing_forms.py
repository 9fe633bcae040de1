"""Give existing forms and stored dossiers the roles that code now asks for.

Before roles, the children were found by the group's key (``enfants`` or ``children``) and the household's
address had no role. This one-time migration reads those keys once, so that no code has to again: the
group keyed ``enfants``/``children`` becomes the "children" group and the first top-level address field
the household's address, in each form's steps, its revisions and every dossier's definition snapshot.
"""

from django.db import migrations

from forms.migrations._definitions import definitions_rewrite

CHILDREN_KEYS = {"enfants", "children"}


def _raw_fields(raw_steps):
    for step in raw_steps or []:
        yield from (step.get("value") or {}).get("fields") or []


def _tag_raw(raw_steps) -> bool:
    changed, address_done = False, False
    for block in _raw_fields(raw_steps):
        value = block.get("value") or {}
        if block.get("type") == "group" and value.get("key") in CHILDREN_KEYS and not value.get("role"):
            value["role"] = "children"
            changed = True
        if block.get("type") == "address" and not address_done:
            address_done = True
            if not value.get("role"):
                value["role"] = "household_address"
                changed = True
    return changed


def _tag_definition(steps) -> bool:
    changed, address_done = False, False
    for step in steps or []:
        for spec in step.get("fields") or []:
            if spec.get("type") == "group" and spec.get("key") in CHILDREN_KEYS and not spec.get("role"):
                spec["role"] = "children"
                changed = True
            if spec.get("type") == "address" and not address_done:
                address_done = True
                if not spec.get("role"):
                    spec["role"] = "household_address"
                    changed = True
    return changed


def forwards(apps, schema_editor):
    definitions_rewrite(apps, tag_raw=_tag_raw, tag_definition=_tag_definition)


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0006_roles_and_pricing_event"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
