"""The QF, the proof of address and the services chosen are roles their fields declare, no longer keys typed in
a form page's settings (``qf_key``, ``proof_of_address_key``, ``priced_services_key``, removed here).

This one-time migration reads those settings once, so that no code has to again: in each form page's steps,
each of its revisions and the definition snapshot of each of its dossiers, the top-level field whose key the
page named gets the role (``family_qf``, ``proof_of_address``, ``services_chosen``) unless it declares one
already; each dossier records whether its definition asks for the QF (``qf_asked``, the desk's "QF missing"
filter). It reads only the historical models and plain JSON: no live code.
"""

import json

import wagtail.fields
from django.db import migrations, models

import connectors.prefill


def _tag(fields, roles_by_key, *, raw: bool) -> bool:
    """Give the top-level field of ``fields`` keyed as a page setting named its role; whether one changed."""
    changed = False
    for block in fields or []:
        value = block.setdefault("value", {}) if raw else block
        role = roles_by_key.get(value.get("key") or "")
        if role and not value.get("role"):
            value["role"] = role
            changed = True
    return changed


def _tag_steps(steps, roles_by_key, *, raw: bool) -> bool:
    changed = False
    for step in steps or []:
        fields = (step.get("value") or {}).get("fields") if raw else step.get("fields")
        changed = _tag(fields, roles_by_key, raw=raw) or changed
    return changed


def _asks_qf(steps) -> bool:
    return any(spec.get("role") == "family_qf" for step in steps or [] for spec in step.get("fields") or [])


def forwards(apps, schema_editor):
    FormPage = apps.get_model("forms", "FormPage")
    Dossier = apps.get_model("forms", "Dossier")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="forms", model="formpage").first()
    for page in FormPage.objects.all():
        roles_by_key = {
            key.strip(): role
            for key, role in (
                (page.qf_key, "family_qf"),
                (page.proof_of_address_key, "proof_of_address"),
                (page.priced_services_key, "services_chosen"),
            )
            if key and key.strip()
        }
        if roles_by_key:
            raw = page.steps.raw_data if hasattr(page.steps, "raw_data") else page.steps
            raw = json.loads(raw) if isinstance(raw, str) else [dict(block) for block in raw]
            if _tag_steps(raw, roles_by_key, raw=True):
                page.steps = raw
                page.save(update_fields=["steps"])
            revisions = Revision.objects.filter(content_type=content_type, object_id=str(page.pk))
            for revision in revisions.iterator() if content_type is not None else []:
                content = revision.content or {}
                steps = content.get("steps")
                raw = json.loads(steps) if isinstance(steps, str) else steps
                if raw and _tag_steps(raw, roles_by_key, raw=True):
                    content["steps"] = json.dumps(raw) if isinstance(steps, str) else raw
                    Revision.objects.filter(pk=revision.pk).update(content=content)
        for dossier in Dossier.objects.filter(form_page_id=page.pk).only("pk", "definition").iterator():
            changed = _tag_steps(dossier.definition, roles_by_key, raw=False) if roles_by_key else False
            fields = {"qf_asked": _asks_qf(dossier.definition)}
            if changed:
                fields["definition"] = dossier.definition
            Dossier.objects.filter(pk=dossier.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("forms", "0015_households_of_existing_families"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="qf_asked",
            field=models.BooleanField(default=False, editable=False, verbose_name="QF asked by the form"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="formpage",
            name="priced_services_key",
        ),
        migrations.RemoveField(
            model_name="formpage",
            name="proof_of_address_key",
        ),
        migrations.RemoveField(
            model_name="formpage",
            name="qf_key",
        ),
        migrations.AlterField(
            model_name="formpage",
            name="steps",
            field=wagtail.fields.StreamField(
                [("step", 68)],
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"label": "Step title", "max_length": 255}),
                    1: ("wagtail.blocks.TextBlock", (), {"label": "Introduction", "required": False}),
                    2: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Key of an earlier field. Leave empty to always show.",
                            "label": "Field key",
                            "max_length": 50,
                            "required": False,
                        },
                    ),
                    3: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("equals", "is equal to"),
                                ("not_equals", "is not equal to"),
                                ("one_of", "is one of (separate values with ;)"),
                                ("is_empty", "is empty"),
                                ("is_not_empty", "is not empty"),
                                ("greater_than", "is greater than"),
                                ("less_than", "is less than"),
                                ("age_under", "age (from this date of birth) is under N years"),
                                ("age_at_least", "age (from this date of birth) is N years or more"),
                            ],
                            "label": "Operator",
                            "required": False,
                        },
                    ),
                    4: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "For yes/no fields: oui or non. For ages: a number of years. Dates as DD/MM/YYYY.",
                            "label": "Value",
                            "required": False,
                        },
                    ),
                    5: (
                        "wagtail.blocks.DateBlock",
                        (),
                        {
                            "help_text": "Empty: the day the form is filled.",
                            "label": "Reference date for ages",
                            "required": False,
                        },
                    ),
                    6: (
                        "wagtail.blocks.StructBlock",
                        [[("field", 2), ("operator", 3), ("value", 4), ("reference_date", 5)]],
                        {"help_text": "Skip the whole step unless an earlier answer matches.", "required": False},
                    ),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "Label", "max_length": 255}),
                    8: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Machine name used in exports and conditions (lowercase letters, digits, _). Made from the label if empty, then kept when the label changes.",
                            "label": "Key",
                            "max_length": 50,
                            "required": False,
                        },
                    ),
                    9: ("wagtail.blocks.CharBlock", (), {"label": "Help text", "max_length": 500, "required": False}),
                    10: ("wagtail.blocks.BooleanBlock", (), {"default": True, "label": "Required", "required": False}),
                    11: (
                        "wagtail.blocks.StructBlock",
                        [[("field", 2), ("operator", 3), ("value", 4), ("reference_date", 5)]],
                        {"required": False},
                    ),
                    12: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "help_text": "Sensitive: shown only to agents allowed to see health data, never logged or exported by default.",
                            "label": "Health data",
                            "required": False,
                        },
                    ),
                    13: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("last_name", "A person's last name"), ("first_name", "A person's first name")],
                            "help_text": "What the answer is, whatever its label: agents find a dossier by a parent's or a child's name.",
                            "label": "Meaning",
                            "required": False,
                        },
                    ),
                    14: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("child", "The child the form is about (first name)"),
                                ("child_school", "A child's school"),
                                ("child_class", "A child's class"),
                            ],
                            "help_text": "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the service reads to validate and price the dossier.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    15: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("meaning", 13),
                                ("role", 14),
                            ]
                        ],
                        {},
                    ),
                    16: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                            ]
                        ],
                        {},
                    ),
                    17: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("guardian_email", "A guardian's email address")],
                            "help_text": "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the service reads to validate and price the dossier.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    18: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("role", 17),
                            ]
                        ],
                        {},
                    ),
                    19: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("guardian_phone", "A guardian's phone number")],
                            "help_text": "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the service reads to validate and price the dossier.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    20: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("role", 19),
                            ]
                        ],
                        {},
                    ),
                    21: ("wagtail.blocks.DateBlock", (), {"label": "Earliest date", "required": False}),
                    22: ("wagtail.blocks.DateBlock", (), {"label": "Latest date", "required": False}),
                    23: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {
                            "help_text": "For a date of birth: youngest age accepted.",
                            "label": "Minimum age",
                            "min_value": 0,
                            "required": False,
                        },
                    ),
                    24: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"label": "Maximum age", "min_value": 0, "required": False},
                    ),
                    25: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("birth_date", "A person's date of birth")],
                            "help_text": "A date of birth is filled from the CAF or MSA's data and read for ages, whatever its key.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    26: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_date", 21),
                                ("max_date", 22),
                                ("min_age", 23),
                                ("max_age", 24),
                                ("age_reference_date", 5),
                                ("role", 25),
                            ]
                        ],
                        {},
                    ),
                    27: ("wagtail.blocks.IntegerBlock", (), {"label": "Minimum", "required": False}),
                    28: ("wagtail.blocks.IntegerBlock", (), {"label": "Maximum", "required": False}),
                    29: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("family_qf", "The family quotient (QF)")],
                            "help_text": "The family quotient (QF) prices the services, whatever the field's key.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    30: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_value", 27),
                                ("max_value", 28),
                                ("role", 29),
                            ]
                        ],
                        {},
                    ),
                    31: (
                        "wagtail.blocks.DecimalBlock",
                        (),
                        {"decimal_places": 2, "label": "Minimum", "required": False},
                    ),
                    32: (
                        "wagtail.blocks.DecimalBlock",
                        (),
                        {"decimal_places": 2, "label": "Maximum", "required": False},
                    ),
                    33: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_value", 31),
                                ("max_value", 32),
                                ("role", 29),
                            ]
                        ],
                        {},
                    ),
                    34: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("child_aeeh", "AEEH received for the child")],
                            "help_text": "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the service reads to validate and price the dossier.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    35: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("role", 34),
                            ]
                        ],
                        {},
                    ),
                    36: ("wagtail.blocks.CharBlock", (), {"label": "Choice", "max_length": 255}),
                    37: ("wagtail.blocks.ListBlock", (36,), {"label": "Choices"}),
                    38: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {"choices": [("radios", "Radio buttons"), ("list", "Drop-down list")], "label": "Display"},
                    ),
                    39: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("child_sex", "A child's sex"), ("child_diet", "A child's diet")],
                            "help_text": "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the service reads to validate and price the dossier.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    40: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("choices", 37),
                                ("display", 38),
                                ("role", 39),
                            ]
                        ],
                        {},
                    ),
                    41: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("services_chosen", "The services chosen (priced)")],
                            "help_text": "The services chosen: their answers name the services of the decree (their label) and only those are priced, whatever the field's key.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    42: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("choices", 37),
                                ("role", 41),
                            ]
                        ],
                        {},
                    ),
                    43: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "help_text": "A document valid for a limited time, e.g. a proof of address under 3 months.",
                            "label": "Expires (asked again at renewal)",
                            "required": False,
                        },
                    ),
                    44: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("proof_of_address", "Proof of address"),
                                ("insurance_certificate", "Insurance certificate"),
                                ("vaccinations", "Vaccination pages of the health record"),
                            ],
                            "help_text": "The document this is: a proof of address is required before validation; a document on file and still valid is not asked again.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    45: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("expires", 43),
                                ("role", 44),
                            ]
                        ],
                        {},
                    ),
                    46: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("household_address", "Address of the household")],
                            "help_text": "The household's address decides whether the family lives in the communes the council serves.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    47: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("role", 46),
                            ]
                        ],
                        {},
                    ),
                    48: ("wagtail.blocks.CharBlock", (), {"label": "Heading", "max_length": 255, "required": False}),
                    49: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {"features": ["bold", "italic", "link", "ul", "ol"], "label": "Text"},
                    ),
                    50: ("wagtail.blocks.StructBlock", [[("label", 48), ("body", 49), ("condition", 11)]], {}),
                    51: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "E.g. Child, Person.", "label": "Name of one item", "max_length": 100},
                    ),
                    52: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 1, "label": "Minimum number of items", "min_value": 0},
                    ),
                    53: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 10, "label": "Maximum number of items", "min_value": 1},
                    ),
                    54: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "“Add” button text", "max_length": 100, "required": False},
                    ),
                    55: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "“Remove” button text", "max_length": 100, "required": False},
                    ),
                    56: (
                        "wagtail.blocks.StreamBlock",
                        [
                            [
                                ("short_text", 15),
                                ("long_text", 16),
                                ("email", 18),
                                ("phone", 20),
                                ("date", 26),
                                ("integer", 30),
                                ("decimal", 33),
                                ("yes_no", 35),
                                ("single_choice", 40),
                                ("multiple_choice", 42),
                                ("file", 45),
                                ("address", 47),
                                ("postcode", 16),
                                ("caf_number", 16),
                                ("consent", 16),
                                ("info", 50),
                            ]
                        ],
                        {"label": "Fields of each item"},
                    ),
                    57: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("children", "Children of the household")],
                            "help_text": "What the items are: the children of the household are counted for prices (crèche).",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    58: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("item_label", 51),
                                ("min_items", 52),
                                ("max_items", 53),
                                ("add_label", 54),
                                ("remove_label", 55),
                                ("fields", 56),
                                ("role", 57),
                            ]
                        ],
                        {},
                    ),
                    59: (
                        "wagtail.blocks.PageChooserBlock",
                        (),
                        {"label": "Rules page", "page_type": ["home.RulesPage"]},
                    ),
                    60: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("rules_page", 59),
                            ]
                        ],
                        {},
                    ),
                    61: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {"choices": connectors.prefill.fillable_choices, "label": "Data from API Particulier"},
                    ),
                    62: ("wagtail.blocks.CharBlock", (), {"label": "Key of the field to fill", "max_length": 50}),
                    63: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("locked", "Locked: the family cannot change the value"),
                                ("editable", "Editable: prefilled, the family may correct it"),
                                ("locked_unless_empty", "Locked, unless the API gave no value"),
                            ],
                            "label": "Mode",
                        },
                    ),
                    64: ("wagtail.blocks.StructBlock", [[("source", 61), ("target", 62), ("mode", 63)]], {}),
                    65: ("wagtail.blocks.ListBlock", (64,), {"label": "Fields to fill", "min_num": 1}),
                    66: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("mappings", 65),
                            ]
                        ],
                        {},
                    ),
                    67: (
                        "wagtail.blocks.StreamBlock",
                        [
                            [
                                ("short_text", 15),
                                ("long_text", 16),
                                ("email", 18),
                                ("phone", 20),
                                ("date", 26),
                                ("integer", 30),
                                ("decimal", 33),
                                ("yes_no", 35),
                                ("single_choice", 40),
                                ("multiple_choice", 42),
                                ("file", 45),
                                ("address", 47),
                                ("postcode", 16),
                                ("caf_number", 16),
                                ("consent", 16),
                                ("info", 50),
                                ("group", 58),
                                ("rules", 60),
                                ("prefill", 66),
                            ]
                        ],
                        {"label": "Fields"},
                    ),
                    68: (
                        "wagtail.blocks.StructBlock",
                        [[("title", 0), ("intro", 1), ("condition", 6), ("fields", 67)]],
                        {},
                    ),
                },
                verbose_name="steps",
            ),
        ),
    ]
