"""The council's menus: main navigation with one level of submenu."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .links import LinkBlock


class MenuItemBlock(LinkBlock):
    children = blocks.ListBlock(
        LinkBlock(),
        label=_("submenu"),
        required=False,
        # No empty link offered by default: a new entry saves with its page alone (an empty submenu link
        # would fail validation, in a tab the editor is not looking at).
        default=[],
        help_text=_("Optional links shown under this entry; keep the list short (at most seven)."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Menu entry")
