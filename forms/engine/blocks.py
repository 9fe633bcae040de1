"""The blocks editors build forms with: steps, and in each step a list of typed fields.

Every input field has a label, a help text, a "required" box, a stable machine key (made once from the
label when left empty, then kept when the label changes), an optional display condition on earlier
answers and a "health data" flag. ``FormStepsBlock.clean`` refuses a definition that
``definition.validate_definition`` finds wrong, with the reasons in French.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from connectors.prefill import PrefillMode, fillable_choices

from . import conditions
from .definition import (
    ROLE_CHILDREN,
    ROLE_HOUSEHOLD_ADDRESS,
    TEXT_MEANINGS,
    definition_from_raw,
    fill_missing_keys,
    validate_definition,
)

GROUP_ROLE_CHOICES = [(ROLE_CHILDREN, _("Children of the household"))]
ADDRESS_ROLE_CHOICES = [(ROLE_HOUSEHOLD_ADDRESS, _("Address of the household"))]


class ConditionBlock(blocks.StructBlock):
    field = blocks.CharBlock(
        label=_("Field key"),
        required=False,
        max_length=50,
        help_text=_("Key of an earlier field. Leave empty to always show."),
    )
    operator = blocks.ChoiceBlock(
        label=_("Operator"), choices=conditions.OPERATORS, default=conditions.EQUALS, required=False
    )
    value = blocks.CharBlock(
        label=_("Value"),
        required=False,
        help_text=_("For yes/no fields: oui or non. For ages: a number of years. Dates as DD/MM/YYYY."),
    )
    reference_date = blocks.DateBlock(
        label=_("Reference date for ages"), required=False, help_text=_("Empty: the day the form is filled.")
    )

    class Meta:
        label = _("Display condition")
        form_classname = "forms-condition"
        collapsed = True


class BaseFieldBlock(blocks.StructBlock):
    """What every input field has."""

    label = blocks.CharBlock(label=_("Label"), max_length=255)
    key = blocks.CharBlock(
        label=_("Key"),
        required=False,
        max_length=50,
        help_text=_(
            "Machine name used in exports and conditions (lowercase letters, digits, _). Made from the label "
            "if empty, then kept when the label changes."
        ),
    )
    help_text = blocks.CharBlock(label=_("Help text"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("Required"), required=False, default=True)
    condition = ConditionBlock(required=False)
    health = blocks.BooleanBlock(
        label=_("Health data"),
        required=False,
        help_text=_("Sensitive: shown only to agents allowed to see health data, never logged or exported by default."),
    )

    class Meta:
        icon = "form"


class ShortTextBlock(BaseFieldBlock):
    meaning = blocks.ChoiceBlock(
        label=_("Meaning"),
        choices=TEXT_MEANINGS,
        required=False,
        help_text=_("What the answer is, whatever its label: agents find a dossier by a parent's or a child's name."),
    )

    class Meta:
        label = _("Short text")
        icon = "pilcrow"


class LongTextBlock(BaseFieldBlock):
    class Meta:
        label = _("Long text")
        icon = "pilcrow"


class EmailBlock(BaseFieldBlock):
    class Meta:
        label = _("Email")
        icon = "mail"


class PhoneBlock(BaseFieldBlock):
    class Meta:
        label = _("French phone number")
        icon = "mobile-alt"


class DateFieldBlock(BaseFieldBlock):
    min_date = blocks.DateBlock(label=_("Earliest date"), required=False)
    max_date = blocks.DateBlock(label=_("Latest date"), required=False)
    min_age = blocks.IntegerBlock(
        label=_("Minimum age"), required=False, min_value=0, help_text=_("For a date of birth: youngest age accepted.")
    )
    max_age = blocks.IntegerBlock(label=_("Maximum age"), required=False, min_value=0)
    age_reference_date = blocks.DateBlock(
        label=_("Reference date for ages"), required=False, help_text=_("Empty: the day the form is filled.")
    )

    class Meta:
        label = _("Date")
        icon = "date"


class IntegerFieldBlock(BaseFieldBlock):
    min_value = blocks.IntegerBlock(label=_("Minimum"), required=False)
    max_value = blocks.IntegerBlock(label=_("Maximum"), required=False)

    class Meta:
        label = _("Whole number")
        icon = "order"


class DecimalFieldBlock(BaseFieldBlock):
    min_value = blocks.DecimalBlock(label=_("Minimum"), required=False, decimal_places=2)
    max_value = blocks.DecimalBlock(label=_("Maximum"), required=False, decimal_places=2)

    class Meta:
        label = _("Decimal number")
        icon = "order"


class YesNoBlock(BaseFieldBlock):
    class Meta:
        label = _("Yes / no")
        icon = "tick-inverse"


class SingleChoiceBlock(BaseFieldBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=255), label=_("Choices"))
    display = blocks.ChoiceBlock(
        label=_("Display"),
        choices=[("radios", _("Radio buttons")), ("list", _("Drop-down list"))],
        default="radios",
    )

    class Meta:
        label = _("Single choice")
        icon = "list-ul"


class MultipleChoiceBlock(BaseFieldBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=255), label=_("Choices"))

    class Meta:
        label = _("Multiple choice")
        icon = "list-ul"


class FileFieldBlock(BaseFieldBlock):
    expires = blocks.BooleanBlock(
        label=_("Expires (asked again at renewal)"),
        required=False,
        help_text=_("A document valid for a limited time, e.g. a proof of address under 3 months."),
    )

    class Meta:
        label = _("File upload")
        icon = "doc-full"


class AddressBlock(BaseFieldBlock):
    role = blocks.ChoiceBlock(
        label=_("Role"),
        choices=ADDRESS_ROLE_CHOICES,
        required=False,
        help_text=_("The household's address decides whether the family lives in the communes the council serves."),
    )

    class Meta:
        label = _("Postal address")
        icon = "home"


class PostcodeBlock(BaseFieldBlock):
    class Meta:
        label = _("French postcode")
        icon = "home"


class CafNumberBlock(BaseFieldBlock):
    class Meta:
        label = _("CAF allocataire number")
        icon = "user"


class ConsentBlock(BaseFieldBlock):
    class Meta:
        label = _("Consent checkbox")
        icon = "tick"


class InfoBlock(blocks.StructBlock):
    """Text shown to families between fields; holds no answer."""

    label = blocks.CharBlock(label=_("Heading"), required=False, max_length=255)
    body = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])
    condition = ConditionBlock(required=False)

    class Meta:
        label = _("Information text")
        icon = "info-circle"


class RulesAcceptanceBlock(BaseFieldBlock):
    """Acceptance of a council's rules: the version in force is shown and the acceptance recorded on submit."""

    rules_page = blocks.PageChooserBlock(label=_("Rules page"), page_type="home.RulesPage")

    class Meta:
        label = _("Rules acceptance")
        icon = "doc-full-inverse"


class PrefillMappingBlock(blocks.StructBlock):
    source = blocks.ChoiceBlock(label=_("Data from API Particulier"), choices=fillable_choices)
    target = blocks.CharBlock(label=_("Key of the field to fill"), max_length=50)
    mode = blocks.ChoiceBlock(label=_("Mode"), choices=PrefillMode.choices, default=PrefillMode.LOCKED_UNLESS_EMPTY)

    class Meta:
        label = _("Field filled")


class PrefillBlock(BaseFieldBlock):
    """API Particulier prefill: with the family's consent, fetch data (QF, address, children) and fill fields.

    Only the data mapped here are asked for (data minimisation). The family may always refuse and use
    the manual route (uploading a CAF certificate or a tax notice).
    """

    mappings = blocks.ListBlock(PrefillMappingBlock(), label=_("Fields to fill"), min_num=1)

    class Meta:
        label = _("API Particulier prefill")
        icon = "download"


def item_field_blocks() -> list[tuple[str, blocks.Block]]:
    """Field types allowed everywhere, including inside a repeatable group."""
    return [
        ("short_text", ShortTextBlock()),
        ("long_text", LongTextBlock()),
        ("email", EmailBlock()),
        ("phone", PhoneBlock()),
        ("date", DateFieldBlock()),
        ("integer", IntegerFieldBlock()),
        ("decimal", DecimalFieldBlock()),
        ("yes_no", YesNoBlock()),
        ("single_choice", SingleChoiceBlock()),
        ("multiple_choice", MultipleChoiceBlock()),
        ("file", FileFieldBlock()),
        ("address", AddressBlock()),
        ("postcode", PostcodeBlock()),
        ("caf_number", CafNumberBlock()),
        ("consent", ConsentBlock()),
        ("info", InfoBlock()),
    ]


class GroupBlock(BaseFieldBlock):
    """A repeatable group (children, people allowed to collect...): the same fields once per item."""

    item_label = blocks.CharBlock(label=_("Name of one item"), max_length=100, help_text=_("E.g. Child, Person."))
    min_items = blocks.IntegerBlock(label=_("Minimum number of items"), min_value=0, default=1)
    max_items = blocks.IntegerBlock(label=_("Maximum number of items"), min_value=1, default=10)
    add_label = blocks.CharBlock(label=_("“Add” button text"), max_length=100, required=False)
    remove_label = blocks.CharBlock(label=_("“Remove” button text"), max_length=100, required=False)
    fields = blocks.StreamBlock(item_field_blocks(), label=_("Fields of each item"))
    role = blocks.ChoiceBlock(
        label=_("Role"),
        choices=GROUP_ROLE_CHOICES,
        required=False,
        help_text=_("What the items are: the children of the household are counted for prices (crèche)."),
    )

    class Meta:
        label = _("Repeatable group")
        icon = "group"


def field_blocks() -> list[tuple[str, blocks.Block]]:
    """Every field type a step may hold (groups, rules and prefill only at the top of a step)."""
    return [
        *item_field_blocks(),
        ("group", GroupBlock()),
        ("rules", RulesAcceptanceBlock()),
        ("prefill", PrefillBlock()),
    ]


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step title"), max_length=255)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    condition = ConditionBlock(required=False, help_text=_("Skip the whole step unless an earlier answer matches."))
    fields = blocks.StreamBlock(field_blocks(), label=_("Fields"))

    class Meta:
        label = _("Step")
        icon = "list-ol"


class FormStepsBlock(blocks.StreamBlock):
    """The steps of a form. Cleaning fills missing keys and refuses a definition with problems."""

    step = StepBlock()

    class Meta:
        min_num = 1

    def clean(self, value):
        value = super().clean(value)
        # Explicit keys of every step first, so that a key made from a label never takes a later one.
        fill_missing_keys([child.value for step in value for child in step.value["fields"]], set())
        for step in value:
            for child in step.value["fields"]:
                if child.block_type == "group":
                    fill_missing_keys([item.value for item in child.value["fields"]], set())
        errors = validate_definition(definition_from_raw(self.get_prep_value(value)))
        if errors:
            raise blocks.StreamBlockValidationError(non_block_errors=[ValidationError(error) for error in errors])
        return value
