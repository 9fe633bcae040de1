"""The blocks editors build forms with: steps, and in each step a list of typed fields.

Every input field has a label, a help text, a "required" box, a stable machine key (made once from the
label when left empty, then kept when the label changes), an optional display condition on earlier
answers and a "health data" flag. The field blocks are the field kinds' own (``fieldtypes``).
``FormStepsBlock.clean`` refuses a definition that ``definition.validate_definition`` finds wrong, with the
reasons in French.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .definition import definition_from_raw, fill_missing_keys, validate_definition
from .fieldtypes import GROUP_TYPE, ConditionBlock, field_blocks


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
                if child.block_type == GROUP_TYPE:
                    fill_missing_keys([item.value for item in child.value["fields"]], set())
        errors = validate_definition(definition_from_raw(self.get_prep_value(value)))
        if errors:
            raise blocks.StreamBlockValidationError(non_block_errors=[ValidationError(error) for error in errors])
        return value
