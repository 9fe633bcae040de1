"""``date_fr``: Django's ``date`` filter, with the French ordinal of the first day ("1er septembre")."""

import re

from django import template
from django.template.defaultfilters import date

register = template.Library()

FIRST_OF_MONTH = re.compile(
    r"(?<![\d])1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b"
)


@register.filter(expects_localtime=True, is_safe=False)
def date_fr(value, arg=None) -> str:
    return FIRST_OF_MONTH.sub(r"1er \1", date(value, arg))
