"""One class per field type: the Django form fields it needs, its answer, and how it reads back.

Where things go (see ARCHITECTURE.md): a new field type is a block in ``blocks.py`` and a class here
(``form_fields``, ``to_answer``, ``to_initial``, ``display``, ``template``). Answers are JSON values:
strings, booleans, ISO dates, decimals as strings, lists, dicts for addresses, file tokens (UUIDs).
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

from home.communes import commune_for_address, communes_for_postcode

from . import conditions
from .files import check_upload

PHONE_RE = re.compile(r"^(?:(?:\+|00)33|0)\s*[1-9](?:[\s.-]*\d{2}){4}$")
POSTCODE_VALIDATOR = RegexValidator(
    r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$", _("A French postcode has 5 digits, e.g. 21000."), code="postcode"
)
CAF_VALIDATOR = RegexValidator(
    r"^\d{7}$", _("A CAF allocataire number has 7 digits. You will find it on your CAF letters."), code="caf"
)
YES, NO = "oui", "non"


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


class FieldType:
    """A simple field type: one Django field named after the key, its cleaned value as the answer."""

    template = "forms/fields/simple.html"
    is_input = True

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


class LongTextType(FieldType):
    def form_field(self, spec, settings):
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **self.common(spec))


class EmailType(FieldType):
    def form_field(self, spec, settings):
        return forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}), **self.common(spec))


class PhoneType(FieldType):
    def form_field(self, spec, settings):
        return FrenchPhoneField(**self.common(spec))


class DateType(FieldType):
    def form_field(self, spec, settings):
        return BoundedDateField(spec=spec, **self.common(spec))

    def to_answer(self, spec, cleaned):
        value = cleaned.get(spec["key"])
        return value.isoformat() if value else ""

    def display(self, spec, answer):
        value = conditions.parse_date(answer)
        return date_format(value, "SHORT_DATE_FORMAT") if value else ""


class IntegerType(FieldType):
    def form_field(self, spec, settings):
        return forms.IntegerField(min_value=spec.get("min_value"), max_value=spec.get("max_value"), **self.common(spec))

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"])


class DecimalType(FieldType):
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


class YesNoType(FieldType):
    template = "forms/fields/choices.html"

    def form_field(self, spec, settings):
        return forms.TypedChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            coerce=lambda value: value == YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **self.common(spec),
        )

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"])

    def to_initial(self, spec, answer):
        return {spec["key"]: None if answer is None or answer == "" else (YES if answer else NO)}

    def display(self, spec, answer):
        if answer is None or answer == "":
            return ""
        return str(_("Yes") if answer else _("No"))


class SingleChoiceType(FieldType):
    template = "forms/fields/choices.html"

    def form_field(self, spec, settings):
        choices = [(choice, choice) for choice in spec.get("choices", [])]
        if spec.get("display") == "list":
            return forms.ChoiceField(choices=[("", "—"), *choices], **self.common(spec))
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **self.common(spec))


class MultipleChoiceType(FieldType):
    template = "forms/fields/choices.html"

    def form_field(self, spec, settings):
        choices = [(choice, choice) for choice in spec.get("choices", [])]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **self.common(spec))

    def to_answer(self, spec, cleaned):
        return list(cleaned.get(spec["key"]) or [])

    def display(self, spec, answer):
        return ", ".join(answer or [])


class FileType(FieldType):
    template = "forms/fields/file.html"

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


class AddressType(FieldType):
    template = "forms/fields/address.html"

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


class PostcodeType(FieldType):
    def form_field(self, spec, settings):
        field = forms.CharField(max_length=5, validators=[POSTCODE_VALIDATOR], **self.common(spec))
        field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        return field


class CafNumberType(FieldType):
    def form_field(self, spec, settings):
        field = forms.CharField(max_length=12, validators=[CAF_VALIDATOR], **self.common(spec))
        field.widget.attrs["inputmode"] = "numeric"
        return field

    def to_answer(self, spec, cleaned):
        return re.sub(r"\s", "", cleaned.get(spec["key"]) or "")


class ConsentType(FieldType):
    template = "forms/fields/checkbox.html"

    def form_field(self, spec, settings):
        return forms.BooleanField(**self.common(spec))

    def to_answer(self, spec, cleaned):
        return bool(cleaned.get(spec["key"]))

    def display(self, spec, answer):
        return str(_("Yes") if answer else _("No"))


class InfoType(FieldType):
    template = "forms/fields/info.html"
    is_input = False

    def form_fields(self, spec, settings):
        return {}

    def to_answer(self, spec, cleaned):
        return None

    def to_initial(self, spec, answer):
        return {}


class RulesType(FieldType):
    """Rules acceptance: who accepts (a guardian's name) and the box ticked; recorded on submit."""

    template = "forms/fields/rules.html"

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


def rules_checkbox_label() -> str:
    return _("I have read the rules shown above and I accept them.")


class GroupType(FieldType):
    """A repeatable group: its items are separate forms (see ``rendering.StepForm``)."""

    template = "forms/fields/group.html"

    def form_fields(self, spec, settings):
        return {}

    def to_answer(self, spec, cleaned):
        return cleaned.get(spec["key"], [])

    def to_initial(self, spec, answer):
        return {}

    def display(self, spec, answer):
        return ""


class PrefillType(InfoType):
    """API Particulier prefill: no field of its own; it fills other fields (see ``services.draft_prefill``)."""

    template = "forms/fields/prefill.html"


FIELD_TYPES: dict[str, FieldType] = {
    "short_text": FieldType(),
    "long_text": LongTextType(),
    "email": EmailType(),
    "phone": PhoneType(),
    "date": DateType(),
    "integer": IntegerType(),
    "decimal": DecimalType(),
    "yes_no": YesNoType(),
    "single_choice": SingleChoiceType(),
    "multiple_choice": MultipleChoiceType(),
    "file": FileType(),
    "address": AddressType(),
    "postcode": PostcodeType(),
    "caf_number": CafNumberType(),
    "consent": ConsentType(),
    "info": InfoType(),
    "rules": RulesType(),
    "group": GroupType(),
    "prefill": PrefillType(),
}


def field_type(spec: dict[str, Any]) -> FieldType:
    return FIELD_TYPES[spec["type"]]
