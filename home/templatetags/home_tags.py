"""Template filters for tariff grids: French money and rates, units, PSU steps."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from home import tariffs
from home.blocks import UNIT_LABELS

register = template.Library()

PSU_STEP_LABELS = [_("1 child"), _("2 children"), _("3 children"), _("4 to 7 children"), _("8 to 10 children")]


@register.filter
def euros(value) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def percent(value) -> str:
    return f"{number_format(value.normalize(), use_l10n=True)}\u00a0%"


@register.filter
def unit_label(unit) -> str:
    return UNIT_LABELS.get(str(unit), str(unit))


@register.filter
def price_in(prices: dict, key: str):
    return prices[key]


@register.filter
def psu_steps(rule: tariffs.PSURule) -> list[dict]:
    return [
        {"label": label, "rate": rate} for label, (_up_to, rate) in zip(PSU_STEP_LABELS, tariffs.PSU_RATES, strict=True)
    ]
