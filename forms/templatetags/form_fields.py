"""The three small pieces every field template repeats (condition note, label, errors), as template tags.

They are drawn for every field of every step page: a tag costs a fraction of an ``{% include %}``.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def field_condition(entry) -> str:
    """The sentence explaining when a field is shown (for visitors without JavaScript)."""
    if not entry.get("condition_text"):
        return ""
    return format_html('<p class="field__condition" data-condition-text>{}</p>', entry["condition_text"])


@register.simple_tag
def field_label(field) -> str:
    """A field's label, followed by "(required)" or "(optional)"."""
    need = _("required") if field.field.required else _("optional")
    return format_html('{} <span class="field__required">({})</span>', field.label, need)


@register.simple_tag
def field_errors(entry, field) -> str:
    """The field's errors, each with an id the error summary and ``aria-describedby`` can point at."""
    if not entry.get("show_errors"):
        return ""
    prefix = _("Error:")
    return format_html_join(
        "",
        '<p class="field__error" id="{}_error"><span class="visually-hidden">{}</span> {}</p>',
        ((field.auto_id, prefix, error) for error in field.errors),
    )
