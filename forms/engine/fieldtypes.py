"""The field kinds: one class per kind, holding everything about it, in one registry.

A kind says how editors build it (its ``Block``, the Wagtail block of the form builder), the Django form
fields it needs, its answer as JSON (``to_answer``) and back (``to_initial``), how it reads (``display``) and
exports (``export_cell``), the problems of its own options (``check``), and its facets: whether it holds an
answer, has a key, may sit in a repeatable group, may be corrected on an agent's request, is copied at
renewal, renders the same empty HTML for everyone (cacheable), may be filled from a data source, and the
roles it may declare (``roles``). The block lists of the builder and every set of kinds the code needs are
read from ``FIELD_TYPES``. Adding a field kind = one class here (``@register``) and its template.

Answers are JSON values: strings, booleans, ISO dates, decimals as strings, lists, dicts for addresses,
file tokens (UUIDs).
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from connectors.prefill import PrefillMode, fillable_choices
from home.communes import commune_for_address, communes_for_postcode

from . import conditions, roles
from .files import check_upload

PHONE_RE = re.compile(r"^(?:(?:\+|00)33|0)\s*[1-9](?:[\s.-]*\d{2}){4}$")
POSTCODE_VALIDATOR = RegexValidator(
    r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$", _("A French postcode has 5 digits, e.g. 21000."), code="postcode"
)
CAF_VALIDATOR = RegexValidator(
    r"^\d{7}$", _("A CAF allocataire number has 7 digits. You will find it on your CAF letters."), code="caf"
)


class FileToken(str):
    """A stored file's token, as the answer of a file field."""


class PrivateFileField(forms.FileField):
    """A file field that checks size, extension and content; its value is an upload or a kept token."""

    def __init__(self, *, allowed_types: list[str], max_size: int, **kwargs):
        self.allowed_types = allowed_types
        self.max_size = max_size
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(f".{ext}" for ext in allowed_types)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        data.checked = check_upload(data, allowed_types=self.allowed_types, max_size=self.max_size)
        return data

    def bound_data(self, data, initial):
        return initial if data in (None, False) else data

    def has_changed(self, initial, data):
        return data is not None


class FrenchPhoneField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)
        self.widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        if not PHONE_RE.match(value.strip()):
            raise ValidationError(_("Enter a French phone number, e.g. 06 12 34 56 78."), code="phone")
        digits = re.sub(r"\D", "", value)
        if digits.startswith("0033"):
            digits = "0" + digits[4:]
        elif digits.startswith("33"):
            digits = "0" + digits[2:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


class BoundedDateField(forms.DateField):
    """A date with optional earliest/latest dates and, for a date of birth, age bounds."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *, spec: dict[str, Any], **kwargs):
        self.spec = spec
        super().__init__(input_formats=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        spec = self.spec
        low, high = conditions.parse_date(spec.get("min_date")), conditions.parse_date(spec.get("max_date"))
        if low and value < low:
            raise ValidationError(
                _("The date must be on or after %(date)s."), params={"date": date_format(low)}, code="min"
            )
        if high and value > high:
            raise ValidationError(
                _("The date must be on or before %(date)s."), params={"date": date_format(high)}, code="max"
            )
        reference = conditions.parse_date(spec.get("age_reference_date")) or datetime.date.today()
        if value > reference and (spec.get("min_age") is not None or spec.get("max_age") is not None):
            raise ValidationError(_("A date of birth cannot be in the future."), code="future")
        age = conditions.age_on(value, reference)
        if spec.get("min_age") is not None and age < spec["min_age"]:
            raise ValidationError(
                _("The person must be at least %(age)s years old on %(date)s."),
                params={"age": spec["min_age"], "date": date_format(reference)},
                code="min_age",
            )
        if spec.get("max_age") is not None and age > spec["max_age"]:
            raise ValidationError(
                _("The person must be at most %(age)s years old on %(date)s."),
                params={"age": spec["max_age"], "date": date_format(reference)},
                code="max_age",
            )


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


ROLE_HELP = _(
    "What the answer is, whatever its label or key: the household attribute it reads and writes, or what the "
    "service reads to validate and price the dossier."
)


class FieldType:
    """A field kind. The base is a simple one-line text: one Django field named after the key, its
    cleaned value as the answer. Subclasses set ``name`` and their ``Block`` and change what differs."""

    name = ""
    label = ""  # in the form builder's list of blocks
    icon = "form"
    Block: type[blocks.StructBlock] = BaseFieldBlock  # its options (every input field's, and its own)
    template = "forms/fields/simple.html"
    is_input = True  # holds an answer
    has_key = True  # the editor gives it a key (unique in its form, or in its group's item)
    in_group = True  # may sit in a repeatable group's items
    correctable = True  # an agent may ask the family to correct its answer
    renewed = True  # its answer is copied into next year's draft
    cacheable = True  # its empty HTML is the same for everyone (no per-request context)
    exported = True  # has a column in exports
    holds_file = False  # its answer is a stored file's token
    prefill_target = "simple"  # what a data source may fill it with: "simple" (a value), "address", "group", ""
    roles: tuple[str, ...] = ()  # the roles its builder's option ``role`` offers (added after the others)
    role_help = ROLE_HELP  # the help text of that option

    def block(self) -> blocks.Block:
        return self.builder_block(self.Block)()

    def builder_block(self, options: type[blocks.StructBlock]) -> type[blocks.StructBlock]:
        """The form builder's block of this kind: ``options``, then the option ``role`` (the roles of this
        kind) when it has one, with its label and icon."""
        attrs = {"Meta": type("Meta", (), {"label": self.label, "icon": self.icon}), "__module__": __name__}
        if self.roles:
            attrs["role"] = blocks.ChoiceBlock(
                label=_("Role"), choices=roles.choices(*self.roles), required=False, help_text=self.role_help
            )
        return type(f"{type(self).__name__}Block", (options,), attrs)

    def template_for(self, spec: dict[str, Any]) -> str:
        """The template that shows this field to families (some kinds choose by their options)."""
        return self.template

    def common(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {"label": spec["label"], "help_text": spec.get("help_text", ""), "required": spec["required"]}

    def form_field(self, spec: dict[str, Any], settings: dict[str, Any]) -> forms.Field:
        return forms.CharField(max_length=255, **self.common(spec))

    def form_fields(self, spec: dict[str, Any], settings: dict[str, Any]) -> dict[str, forms.Field]:
        return {spec["key"]: self.form_field(spec, settings)}

    def to_answer(self, spec: dict[str, Any], cleaned: dict[str, Any]) -> Any:
        value = cleaned.get(spec["key"])
        return "" if value is None else value

    def to_initial(self, spec: dict[str, Any], answer: Any) -> dict[str, Any]:
        return {spec["key"]: answer}

    def display(self, spec: dict[str, Any], answer: Any) -> str:
        return "" if answer in (None, "") else str(answer)

    def export_cell(self, spec: dict[str, Any], answer: Any) -> Any:
        """The answer in a spreadsheet cell: typed where the spreadsheet can sort and sum it, else its text."""
        return self.display(spec, answer)

    def check(self, spec: dict[str, Any]) -> list[str]:
        """Problems of the kind's own options, each a sentence with ``%(where)s`` for the field's place."""
        return []


FIELD_TYPES: dict[str, FieldType] = {}


def register(kind: type[FieldType]) -> type[FieldType]:
    """Add a field kind to the registry (a class decorator)."""
    FIELD_TYPES[kind.name] = kind()
    return kind


def field_type(spec: dict[str, Any]) -> FieldType:
    return FIELD_TYPES[spec["type"]]


def kinds_where(facet: str) -> set[str]:
    """The names of the kinds with this facet true (e.g. ``kinds_where("correctable")``)."""
    return {name for name, kind in FIELD_TYPES.items() if getattr(kind, facet)}


@register
class ShortTextType(FieldType):
    name = "short_text"
    label = _("Short text")
    icon = "pilcrow"
    roles = (roles.CHILD, roles.CHILD_SCHOOL, roles.CHILD_CLASS)

    class Block(BaseFieldBlock):
        meaning = blocks.ChoiceBlock(
            label=_("Meaning"),
            choices=roles.choices(*roles.PERSON_NAMES),
            required=False,
            help_text=_(
                "What the answer is, whatever its label: agents find a dossier by a parent's or a child's name."
            ),
        )


@register
class LongTextType(FieldType):
    name = "long_text"
    label = _("Long text")
    icon = "pilcrow"
    prefill_target = ""

    def form_field(self, spec, settings):
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **self.common(spec))


@register
class EmailType(FieldType):
    name = "email"
    label = _("Email")
    icon = "mail"
    prefill_target = ""
    roles = (roles.GUARDIAN_EMAIL,)

    def form_field(self, spec, settings):
        return forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}), **self.common(spec))


@register
class PhoneType(FieldType):
    name = "phone"
    label = _("French phone number")
    icon = "mobile-alt"
    prefill_target = ""
    roles = (roles.GUARDIAN_PHONE,)

    def form_field(self, spec, settings):
        return FrenchPhoneField(**self.common(spec))


@register
class DateType(FieldType):
    name = "date"
    label = _("Date")
    icon = "date"
    prefill_target = ""
    roles = (roles.BIRTH_DATE,)
    role_help = _("A date of birth is filled from the CAF or MSA's data and read for ages, whatever its key.")

    class Block(BaseFieldBlock):
        min_date = blocks.DateBlock(label=_("Earliest date"), required=False)
        max_date = blocks.DateBlock(label=_("Latest date"), required=False)
        min_age = blocks.IntegerBlock(
            label=_("Minimum age"),
            required=False,
            min_value=0,
            help_text=_("For a date of birth: youngest age accepted."),
        )
        max_age = blocks.IntegerBlock(label=_("Maximum age"), required=False, min_value=0)
        age_reference_date = blocks.DateBlock(
            label=_("Reference date for ages"), required=False, help_text=_("Empty: the day the form is filled.")
        )

    def form_field(self, spec, settings):
        return BoundedDateField(spec=spec, **self.common(spec))

    def to_answer(self, spec, cleaned):
        value = cleaned.get(spec["key"])
        return value.isoformat() if value else ""

    def display(self, spec, answer):
        value = conditions.parse_date(answer)
        return date_format(value, "SHORT_DATE_FORMAT") if value else ""

    def export_cell(self, spec, answer):
        try:
            return datetime.date.fromisoformat(answer) if isinstance(answer, str) else self.display(spec, answer)
        except ValueError:
            return self.display(spec, answer)


@register
class IntegerType(FieldType):
    name = "integer"
    label = _("Whole number")
    icon = "order"
    roles = (roles.FAMILY_QF,)
    role_help = _("The family quotient (QF) prices the services, whatever the field's key.")

    class Block(BaseFieldBlock):
        min_value = blocks.IntegerBlock(label=_("Minimum"), required=False)
        max_value = blocks.IntegerBlock(label=_("Maximum"), required=False)

    def form_field(self, spec, settings):
        return forms.IntegerField(min_value=spec.get("min_value"), max_value=spec.get("max_value"), **self.common(spec))

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"])

    def export_cell(self, spec, answer):
        try:
            return self.display(spec, answer) if isinstance(answer, bool) else int(answer)
        except (TypeError, ValueError):
            return self.display(spec, answer)


@register
class DecimalType(FieldType):
    name = "decimal"
    label = _("Decimal number")
    icon = "order"
    roles = (roles.FAMILY_QF,)
    role_help = _("The family quotient (QF) prices the services, whatever the field's key.")

    class Block(BaseFieldBlock):
        min_value = blocks.DecimalBlock(label=_("Minimum"), required=False, decimal_places=2)
        max_value = blocks.DecimalBlock(label=_("Maximum"), required=False, decimal_places=2)

    def form_field(self, spec, settings):
        bounds = {name: Decimal(str(spec[name])) for name in ("min_value", "max_value") if spec.get(name) is not None}
        field = forms.DecimalField(max_digits=12, decimal_places=2, localize=True, **bounds, **self.common(spec))
        field.widget.attrs["inputmode"] = "decimal"
        return field

    def to_answer(self, spec, cleaned):
        value = cleaned.get(spec["key"])
        return "" if value is None else str(value)

    def display(self, spec, answer):
        return "" if answer in (None, "") else str(answer).replace(".", ",")

    def export_cell(self, spec, answer):
        try:
            return Decimal(str(answer))
        except (TypeError, ValueError, ArithmeticError):
            return self.display(spec, answer)


@register
class YesNoType(FieldType):
    name = "yes_no"
    label = _("Yes / no")
    icon = "tick-inverse"
    template = "forms/fields/choices.html"
    prefill_target = ""
    roles = (roles.CHILD_AEEH,)
    # How an answer is posted; the stored answer is a boolean (some older answers are these words).
    YES, NO = "oui", "non"

    @classmethod
    def is_yes(cls, answer: Any) -> bool:
        """Whether a stored answer means yes: ``True``, or the posted word of an older answer."""
        return answer is True or (isinstance(answer, str) and answer.strip().lower() in (cls.YES, "yes"))

    def form_field(self, spec, settings):
        return forms.TypedChoiceField(
            choices=[(self.YES, _("Yes")), (self.NO, _("No"))],
            coerce=lambda value: value == self.YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **self.common(spec),
        )

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"])

    def to_initial(self, spec, answer):
        return {spec["key"]: None if answer is None or answer == "" else (self.YES if self.is_yes(answer) else self.NO)}

    def display(self, spec, answer):
        if answer is None or answer == "":
            return ""
        return str(_("Yes") if self.is_yes(answer) else _("No"))


class ChoiceType(FieldType):
    """What the two choice kinds share: a list of choices the editor writes."""

    def check(self, spec):
        if not spec.get("choices"):
            return [_("%(where)s: a choice field needs at least one choice.")]
        if len(set(spec["choices"])) != len(spec["choices"]):
            return [_("%(where)s: the same choice is listed twice.")]
        return []


@register
class SingleChoiceType(ChoiceType):
    name = "single_choice"
    label = _("Single choice")
    icon = "list-ul"
    template = "forms/fields/choices.html"
    roles = (roles.CHILD_SEX, roles.CHILD_DIET)

    class Block(BaseFieldBlock):
        choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=255), label=_("Choices"))
        display = blocks.ChoiceBlock(
            label=_("Display"),
            choices=[("radios", _("Radio buttons")), ("list", _("Drop-down list"))],
            default="radios",
        )

    def form_field(self, spec, settings):
        choices = [(choice, choice) for choice in spec.get("choices", [])]
        if spec.get("display") == "list":
            return forms.ChoiceField(choices=[("", "—"), *choices], **self.common(spec))
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **self.common(spec))

    def template_for(self, spec):
        return "forms/fields/simple.html" if spec.get("display") == "list" else self.template


@register
class MultipleChoiceType(ChoiceType):
    name = "multiple_choice"
    label = _("Multiple choice")
    icon = "list-ul"
    template = "forms/fields/choices.html"
    prefill_target = ""
    roles = (roles.SERVICES_CHOSEN,)
    role_help = _(
        "The services chosen: their answers name the services of the decree (their label) and only those are "
        "priced, whatever the field's key."
    )

    class Block(BaseFieldBlock):
        choices = blocks.ListBlock(blocks.CharBlock(label=_("Choice"), max_length=255), label=_("Choices"))

    def form_field(self, spec, settings):
        choices = [(choice, choice) for choice in spec.get("choices", [])]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **self.common(spec))

    def to_answer(self, spec, cleaned):
        return list(cleaned.get(spec["key"]) or [])

    def display(self, spec, answer):
        return ", ".join(answer or [])


@register
class FileType(FieldType):
    name = "file"
    label = _("File upload")
    icon = "doc-full"
    template = "forms/fields/file.html"
    holds_file = True
    prefill_target = ""
    roles = (roles.PROOF_OF_ADDRESS, roles.INSURANCE, roles.VACCINATIONS)
    role_help = _(
        "The document this is: a proof of address is required before validation; a document on file and still "
        "valid is not asked again."
    )

    class Block(BaseFieldBlock):
        expires = blocks.BooleanBlock(
            label=_("Expires (asked again at renewal)"),
            required=False,
            help_text=_("A document valid for a limited time, e.g. a proof of address under 3 months."),
        )

    def form_field(self, spec, settings):
        return PrivateFileField(
            allowed_types=settings["file_types"], max_size=settings["max_file_size"], **self.common(spec)
        )

    def to_answer(self, spec, cleaned):
        # Uploads are stored by the service, which replaces them with their token.
        return cleaned.get(spec["key"]) or ""

    def display(self, spec, answer):
        return str(_("File attached")) if answer else ""


ADDRESS_PARTS = [
    ("street", _("Number and street"), "address-line1", True),
    ("complement", _("Additional address details (building, flat…)"), "address-line2", False),
    ("postcode", _("Postcode"), "postal-code", True),
    ("city", _("Town or city"), "address-level2", True),
]


def address_commune_error(postcode: str, city: str) -> str:
    """Why a town does not match its postcode in the official list of communes ("" when it does, or when
    the postcode is not in the list: the agent then decides residence)."""
    candidates = communes_for_postcode(postcode or "")
    if not candidates or not (city or "").strip() or commune_for_address(postcode, city) is not None:
        return ""
    names = [commune.name for commune in candidates]
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    return _("“%(city)s” is not a commune of postcode %(postcode)s. Write its name as in this list: %(names)s.") % {
        "city": city,
        "postcode": postcode,
        "names": shown,
    }


@register
class AddressType(FieldType):
    name = "address"
    label = _("Postal address")
    icon = "home"
    template = "forms/fields/address.html"
    prefill_target = "address"
    roles = (roles.HOUSEHOLD_ADDRESS,)
    role_help = _("The household's address decides whether the family lives in the communes the council serves.")

    def form_fields(self, spec, settings):
        fields = {}
        for part, label, autocomplete, part_required in ADDRESS_PARTS:
            field = forms.CharField(
                label=label, max_length=255, required=spec["required"] and part_required, help_text=""
            )
            field.widget.attrs["autocomplete"] = autocomplete
            if part == "postcode":
                field.validators.append(POSTCODE_VALIDATOR)
                field.widget.attrs["inputmode"] = "numeric"
            fields[f"{spec['key']}__{part}"] = field
        return fields

    def to_answer(self, spec, cleaned):
        parts = {part: (cleaned.get(f"{spec['key']}__{part}") or "").strip() for part, *_rest in ADDRESS_PARTS}
        if not any(parts.values()):
            return {}
        # The commune's INSEE code (official list) decides residence; empty when the town is not found.
        commune = commune_for_address(parts["postcode"], parts["city"])
        parts["insee"] = commune.insee if commune else ""
        return parts

    def to_initial(self, spec, answer):
        answer = answer or {}
        return {f"{spec['key']}__{part}": answer.get(part, "") for part, *_rest in ADDRESS_PARTS}

    def display(self, spec, answer):
        if not answer:
            return ""
        lines = [
            answer.get("street"),
            answer.get("complement"),
            f"{answer.get('postcode', '')} {answer.get('city', '')}",
        ]
        return "\n".join(line.strip() for line in lines if line and line.strip())


@register
class PostcodeType(FieldType):
    name = "postcode"
    label = _("French postcode")
    icon = "home"

    def form_field(self, spec, settings):
        field = forms.CharField(max_length=5, validators=[POSTCODE_VALIDATOR], **self.common(spec))
        field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        return field


@register
class CafNumberType(FieldType):
    name = "caf_number"
    label = _("CAF allocataire number")
    icon = "user"

    def form_field(self, spec, settings):
        field = forms.CharField(max_length=12, validators=[CAF_VALIDATOR], **self.common(spec))
        field.widget.attrs["inputmode"] = "numeric"
        return field

    def to_answer(self, spec, cleaned):
        return re.sub(r"\s", "", cleaned.get(spec["key"]) or "")


@register
class ConsentType(FieldType):
    name = "consent"
    label = _("Consent checkbox")
    icon = "tick"
    template = "forms/fields/checkbox.html"
    prefill_target = ""

    def form_field(self, spec, settings):
        return forms.BooleanField(**self.common(spec))

    def to_answer(self, spec, cleaned):
        return bool(cleaned.get(spec["key"]))

    def display(self, spec, answer):
        return str(_("Yes") if answer else _("No"))


class NoAnswerType(FieldType):
    """A block that shows something but holds no answer of its own."""

    is_input = False
    correctable = False
    renewed = False
    exported = False
    prefill_target = ""

    def form_fields(self, spec, settings):
        return {}

    def to_answer(self, spec, cleaned):
        return None

    def to_initial(self, spec, answer):
        return {}


@register
class InfoType(NoAnswerType):
    """Text shown to families between fields."""

    name = "info"
    label = _("Information text")
    icon = "info-circle"
    template = "forms/fields/info.html"
    has_key = False

    class Block(blocks.StructBlock):
        """Text shown to families between fields; holds no answer."""

        label = blocks.CharBlock(label=_("Heading"), required=False, max_length=255)
        body = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])
        condition = ConditionBlock(required=False)


class GroupItemsBlock(BaseFieldBlock):
    """What a repeatable group has before its fields (see ``GroupType.block``)."""

    item_label = blocks.CharBlock(label=_("Name of one item"), max_length=100, help_text=_("E.g. Child, Person."))
    min_items = blocks.IntegerBlock(label=_("Minimum number of items"), min_value=0, default=1)
    max_items = blocks.IntegerBlock(label=_("Maximum number of items"), min_value=1, default=10)
    add_label = blocks.CharBlock(label=_("“Add” button text"), max_length=100, required=False)
    remove_label = blocks.CharBlock(label=_("“Remove” button text"), max_length=100, required=False)


def item_field_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks of the kinds allowed everywhere, including inside a repeatable group."""
    return [(name, kind.block()) for name, kind in FIELD_TYPES.items() if kind.in_group]


def field_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks of every kind a step may hold (groups, rules and prefill only at the top of a step)."""
    return [(name, kind.block()) for name, kind in FIELD_TYPES.items()]


@register
class GroupType(FieldType):
    """A repeatable group: its items are separate forms (see ``rendering.StepForm``)."""

    name = "group"
    label = _("Repeatable group")
    icon = "group"
    template = "forms/fields/group.html"
    in_group = False
    correctable = False  # its items' fields are, one by one
    prefill_target = "group"
    roles = (roles.CHILDREN,)
    role_help = _("What the items are: the children of the household are counted for prices (crèche).")

    def block(self):
        # Its fields are the kinds allowed in an item: known once they are all registered.
        class Block(GroupItemsBlock):
            """A repeatable group (children, people allowed to collect...): the same fields once per item."""

            fields = blocks.StreamBlock(item_field_blocks(), label=_("Fields of each item"))

        return self.builder_block(Block)()

    def form_fields(self, spec, settings):
        return {}

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"], [])

    def to_initial(self, spec, answer):
        return {}

    def display(self, spec, answer):
        return ""

    def check(self, spec):
        return [] if spec.get("fields") else [_("%(where)s: a repeatable group needs at least one field.")]


def rules_checkbox_label() -> str:
    return _("I have read the rules shown above and I accept them.")


@register
class RulesType(FieldType):
    """Rules acceptance: who accepts (a guardian's name) and the box ticked; recorded on submit."""

    name = "rules"
    label = _("Rules acceptance")
    icon = "doc-full-inverse"
    template = "forms/fields/rules.html"
    in_group = False
    correctable = False
    renewed = False
    cacheable = False  # shows the version in force and the family's acceptance
    prefill_target = ""

    class Block(BaseFieldBlock):
        """Acceptance of a council's rules: the version in force is shown and the acceptance recorded on submit."""

        rules_page = blocks.PageChooserBlock(label=_("Rules page"), page_type="home.RulesPage")

    def form_fields(self, spec, settings):
        key = spec["key"]
        return {
            f"{key}__guardian": forms.CharField(
                label=_("Name of the parent or guardian who accepts"),
                max_length=255,
                required=spec["required"],
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
            ),
            f"{key}__accepted": forms.BooleanField(label=rules_checkbox_label(), required=spec["required"]),
        }

    def to_answer(self, spec, cleaned):
        key = spec["key"]
        if not cleaned.get(f"{key}__accepted"):
            return {}
        return {"accepted": True, "guardian_name": cleaned.get(f"{key}__guardian", "").strip()}

    def to_initial(self, spec, answer):
        answer = answer or {}
        return {f"{spec['key']}__guardian": answer.get("guardian_name", ""), f"{spec['key']}__accepted": bool(answer)}

    def display(self, spec, answer):
        if not answer:
            return ""
        text = _("Accepted by %(name)s") % {"name": answer.get("guardian_name", "")}
        if answer.get("version"):
            text = _("%(text)s (version %(version)s)") % {"text": text, "version": answer["version"]}
        return str(text)

    def check(self, spec):
        return [] if spec.get("rules_page") else [_("%(where)s: choose the rules page to accept.")]


class PrefillMappingBlock(blocks.StructBlock):
    source = blocks.ChoiceBlock(label=_("Data from API Particulier"), choices=fillable_choices)
    target = blocks.CharBlock(label=_("Key of the field to fill"), max_length=50)
    mode = blocks.ChoiceBlock(label=_("Mode"), choices=PrefillMode.choices, default=PrefillMode.LOCKED_UNLESS_EMPTY)

    class Meta:
        label = _("Field filled")


@register
class PrefillType(NoAnswerType):
    """A data source's prefill: no field of its own; it fills other fields (see ``services.draft_prefill``)."""

    name = "prefill"
    label = _("API Particulier prefill")
    icon = "download"
    template = "forms/fields/prefill.html"
    in_group = False
    cacheable = False  # shows the family's consent and the outcome of its request

    class Block(BaseFieldBlock):
        """API Particulier prefill: with the family's consent, fetch data (QF, address, children) and fill fields.

        Only the data mapped here are asked for (data minimisation). The family may always refuse and use
        the manual route (uploading a CAF certificate or a tax notice).
        """

        mappings = blocks.ListBlock(PrefillMappingBlock(), label=_("Fields to fill"), min_num=1)

    def check(self, spec):
        return [] if spec.get("mappings") else [_("%(where)s: choose at least one field to fill.")]


GROUP_TYPE = GroupType.name
