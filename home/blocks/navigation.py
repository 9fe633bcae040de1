"""The council's menus: main navigation with one level of submenu."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .links import LinkBlock


class MenuItemBlock(LinkBlock):
    children = blocks.ListBlock(
        LinkBlock(),
        label=_("submenu"),
        required=False,
        help_text=_("Optional links shown under this entry; keep the list short (at most seven)."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Menu entry")
