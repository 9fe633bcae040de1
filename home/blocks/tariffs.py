"""StreamField blocks of a tariff decree: one block per rule kind of the tariff engine (``home.tariffs``).

Each block converts its value to an engine rule (``to_rule``) and back (``value_from_rule``), and validates
what an editor typed with translated messages before the engine sees it.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .. import tariffs

UNIT_CHOICES = [
    (tariffs.Unit.MEAL.value, _("per meal")),
    (tariffs.Unit.HOUR.value, _("per hour")),
    (tariffs.Unit.HALF_DAY.value, _("per half-day")),
    (tariffs.Unit.DAY.value, _("per day")),
    (tariffs.Unit.YEAR.value, _("per year")),
    (tariffs.Unit.ACTIVITY.value, _("per activity")),
]
UNIT_LABELS = dict(UNIT_CHOICES)
QF_CASE_CHOICES = [
    (tariffs.QFCase.CAF.value, _("CAF allocataires")),
    (tariffs.QFCase.MSA.value, _("MSA allocataires")),
    (tariffs.QFCase.NON_ALLOCATAIRE.value, _("Non-allocataires (QF from the tax notice)")),
    (tariffs.QFCase.NO_PROOF.value, _("No proof of income (or a QF not yet checked)")),
]
QF_CASE_LABELS = dict(QF_CASE_CHOICES)
PSU_PERIOD_CHOICES = [
    ("2023", _("2023 (floor 754.16 €, ceiling 6,000 €)")),
    ("2024-01", _("January to August 2024 (floor 765.77 €, ceiling 6,000 €)")),
    ("2024-09", _("September to December 2024 (floor 765.77 €, ceiling 7,000 €)")),
    ("2025-01", _("January to August 2025 (floor 801.00 €, ceiling 7,000 €)")),
    ("2025-09", _("September to December 2025 (floor 801.00 €, ceiling 8,500 €)")),
    ("2026", _("2026 (floor 814.62 €, ceiling 8,500 €)")),
]
TRANCHE_PROBLEM_MESSAGES = {
    tariffs.TrancheProblem.EMPTY: _("The grid needs at least one tranche."),
    tariffs.TrancheProblem.FIRST_NOT_ZERO: _("The first tranche must start at a QF of 0."),
    tariffs.TrancheProblem.MAX_BELOW_MIN: _("The tranche ends before it starts."),
    tariffs.TrancheProblem.GAP: _("There is a gap between this tranche and the previous one."),
    tariffs.TrancheProblem.OVERLAP: _("This tranche overlaps the previous one (or the tranches are not in order)."),
    tariffs.TrancheProblem.OPEN_NOT_LAST: _("Only the last tranche can have no upper limit."),
    tariffs.TrancheProblem.LAST_NOT_OPEN: _("The last tranche must have no upper limit, so that every QF has a price."),
    tariffs.TrancheProblem.MISSING_PRICE: _("Give one price per column (the first price, then the other columns')."),
    tariffs.TrancheProblem.NEGATIVE_PRICE: _("A price cannot be negative."),
    tariffs.TrancheProblem.DECREASING_PRICE: _("A price cannot be lower than the previous tranche's."),
}

money = {"min_value": Decimal(0), "max_digits": 8, "decimal_places": 2}


class ServiceBlock(blocks.StructBlock):
    """What every service has: a stable key, a label families read, a unit."""

    key = blocks.RegexBlock(
        regex=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=50,
        label=_("key"),
        help_text=_("Stable identifier used by the API and imports, e.g. cantine or alsh-journee."),
        error_messages={"invalid": _("Use lower-case letters, digits and dashes only.")},
    )
    label = blocks.CharBlock(max_length=255, label=_("service"), help_text=_("e.g. School canteen."))
    unit = blocks.ChoiceBlock(choices=UNIT_CHOICES, default=tariffs.Unit.MEAL.value, label=_("unit"))

    rule_class: type[tariffs.Rule] = tariffs.Rule

    def common(self, value) -> dict:
        return {"key": value["key"], "label": value["label"], "unit": tariffs.Unit(value["unit"])}

    def to_rule(self, value) -> tariffs.Rule:
        raise NotImplementedError

    @classmethod
    def value_from_rule(cls, rule: tariffs.Rule) -> dict:
        return {"key": rule.key, "label": rule.label, "unit": str(rule.unit)}


class EffortRateBlock(ServiceBlock):
    rate = blocks.DecimalBlock(
        label=_("effort rate (%)"),
        min_value=Decimal("0.0001"),
        max_digits=8,
        decimal_places=4,
        help_text=_("e.g. 0.36"),
    )
    floor = blocks.DecimalBlock(label=_("floor (€)"), **money)
    ceiling = blocks.DecimalBlock(label=_("ceiling (€)"), **money)

    class Meta:
        icon = "form"
        label = _("Effort rate × QF")

    def clean(self, value):
        value = super().clean(value)
        if value["ceiling"] < value["floor"]:
            raise StructBlockValidationError(
                block_errors={"ceiling": ValidationError(_("The ceiling must be at least the floor."))}
            )
        return value

    def to_rule(self, value):
        return tariffs.EffortRateRule(
            **self.common(value), rate=value["rate"], floor=value["floor"], ceiling=value["ceiling"]
        )

    @classmethod
    def value_from_rule(cls, rule):
        return {**super().value_from_rule(rule), "rate": rule.rate, "floor": rule.floor, "ceiling": rule.ceiling}


class ColumnBlock(blocks.StructBlock):
    key = blocks.RegexBlock(
        regex=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=30,
        label=_("key"),
        error_messages={"invalid": _("Use lower-case letters, digits and dashes only.")},
    )
    label = blocks.CharBlock(max_length=100, label=_("column"), help_text=_("e.g. MSA or non-allocataire families."))
    applies_to = blocks.MultipleChoiceBlock(
        choices=QF_CASE_CHOICES,
        required=False,
        label=_("applies to"),
        help_text=_("The families this column prices. With several columns, each case belongs to exactly one column."),
        widget=forms.CheckboxSelectMultiple,
    )


class TrancheBlock(blocks.StructBlock):
    qf_min = blocks.IntegerBlock(label=_("QF from"), min_value=0)
    qf_max = blocks.IntegerBlock(label=_("QF to (inclusive)"), min_value=0, required=False)
    price = blocks.DecimalBlock(label=_("price (€)"), **money)
    other_prices = blocks.ListBlock(
        blocks.DecimalBlock(label=_("price (€)"), **money),
        label=_("prices of the other columns, in order"),
        default=[],
        required=False,
    )


class TrancheGridBlock(ServiceBlock):
    columns = blocks.ListBlock(
        ColumnBlock(),
        label=_("columns"),
        default=[],
        help_text=_(
            "Leave empty for a single price per tranche. With several columns, say which families each one "
            "prices (CAF, MSA, non-allocataires, no proof): the price follows the family's QF provider."
        ),
    )
    tranches = blocks.ListBlock(
        TrancheBlock(),
        label=_("tranches"),
        min_num=1,
        help_text=_("In order, from QF 0, without gap or overlap; the last one has no upper limit."),
    )

    class Meta:
        icon = "table"
        label = _("QF tranches")

    @staticmethod
    def engine_columns(value) -> list[tariffs.Column]:
        columns = [tariffs.Column(c["key"], c["label"], tuple(c.get("applies_to") or ())) for c in value["columns"]]
        return columns or [tariffs.DEFAULT_COLUMN]

    def engine_tranches(self, value) -> list[tariffs.Tranche]:
        keys = [c.key for c in self.engine_columns(value)]
        tranches = []
        for row in value["tranches"]:
            prices = [row["price"], *list(row["other_prices"] or [])]
            # A row with the wrong number of prices gets no prices: tranche_problems reports it.
            by_column = dict(zip(keys, prices, strict=True)) if len(prices) == len(keys) else {}
            tranches.append(tariffs.Tranche(row["qf_min"], row["qf_max"], by_column))
        return tranches

    def clean(self, value):
        value = super().clean(value)
        columns = self.engine_columns(value)
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise StructBlockValidationError(
                block_errors={"columns": ValidationError(_("Two columns have the same key."))}
            )
        unmapped = [
            QF_CASE_LABELS[case]
            for case in tariffs.QFCase
            if len(columns) > 1 and sum(case in c.applies_to for c in columns) != 1
        ]
        if unmapped:
            raise StructBlockValidationError(
                block_errors={
                    "columns": ValidationError(
                        _(
                            "Say which column applies to each kind of family: each case must be ticked in exactly "
                            "one column. Not right for: %(cases)s."
                        )
                        % {"cases": ", ".join(str(label) for label in unmapped)}
                    )
                }
            )
        problems = tariffs.tranche_problems(self.engine_tranches(value), keys)
        if problems:
            messages = [
                _("Tranche %(number)s: %(problem)s")
                % {"number": index + 1, "problem": TRANCHE_PROBLEM_MESSAGES[problem]}
                for index, problem in problems
            ]
            raise StructBlockValidationError(block_errors={"tranches": ValidationError(messages)})
        return value

    def to_rule(self, value):
        return tariffs.TrancheRule(
            **self.common(value), columns=tuple(self.engine_columns(value)), tranches=tuple(self.engine_tranches(value))
        )

    @classmethod
    def value_from_rule(cls, rule):
        keys = [c.key for c in rule.columns]
        single = len(rule.columns) == 1 and rule.columns[0] == tariffs.DEFAULT_COLUMN
        return {
            **super().value_from_rule(rule),
            "columns": []
            if single
            else [{"key": c.key, "label": c.label, "applies_to": [str(a) for a in c.applies_to]} for c in rule.columns],
            "tranches": [
                {
                    "qf_min": t.qf_min,
                    "qf_max": t.qf_max,
                    "price": t.prices[keys[0]],
                    "other_prices": [t.prices[k] for k in keys[1:]],
                }
                for t in rule.tranches
            ],
        }


class PSUBlock(ServiceBlock):
    period = blocks.ChoiceBlock(choices=PSU_PERIOD_CHOICES, default="2026", label=_("period of the national barème"))
    no_ceiling = blocks.BooleanBlock(
        required=False, label=_("no ceiling"), help_text=_("Tick if the council applies no resources ceiling.")
    )

    class Meta:
        icon = "group"
        label = _("Crèche: national PSU barème")

    def to_rule(self, value):
        return tariffs.PSURule(**self.common(value), period=value["period"], no_ceiling=bool(value["no_ceiling"]))

    @classmethod
    def value_from_rule(cls, rule):
        return {**super().value_from_rule(rule), "period": rule.period, "no_ceiling": rule.no_ceiling}


class FlatPriceBlock(ServiceBlock):
    price = blocks.DecimalBlock(label=_("price (€)"), **money)

    class Meta:
        icon = "tag"
        label = _("Flat price")

    def to_rule(self, value):
        return tariffs.FlatRule(**self.common(value), price=value["price"])

    @classmethod
    def value_from_rule(cls, rule):
        return {**super().value_from_rule(rule), "price": rule.price}


SERVICE_BLOCKS = {
    tariffs.EffortRateRule.kind: EffortRateBlock,
    tariffs.TrancheRule.kind: TrancheGridBlock,
    tariffs.PSURule.kind: PSUBlock,
    tariffs.FlatRule.kind: FlatPriceBlock,
}


class TariffServicesBlock(blocks.StreamBlock):
    """The services of a decree; the stream block names are the engine's rule kinds."""

    effort_rate = EffortRateBlock()
    tranches = TrancheGridBlock()
    psu = PSUBlock()
    flat = FlatPriceBlock()

    class Meta:
        min_num = 1


def rule_from_stream_child(child) -> tariffs.Rule:
    return child.block.to_rule(child.value)


def stream_data_from_rule(rule: tariffs.Rule) -> dict:
    """A raw StreamField item (``{"type": kind, "value": ...}``) for an engine rule."""
    return {"type": rule.kind, "value": _json_ready(SERVICE_BLOCKS[rule.kind].value_from_rule(rule))}


def _json_ready(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value
