"""Link blocks: cards, call to action, documents to download, contact card, key dates."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class LinkBlock(blocks.StructBlock):
    """A link to a page of the site (a content page, a form, rules...) or to another address."""

    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or another address"), required=False)
    label = blocks.CharBlock(
        label=_("link text"), max_length=100, required=False, help_text=_("Defaults to the page's title.")
    )

    class Meta:
        icon = "link"
        label = _("Link")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or give an address."))}
            )
        if value.get("page") and value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or give an address, not both."))}
            )
        if value.get("url") and not value.get("label"):
            raise StructBlockValidationError(
                block_errors={"label": ValidationError(_("Give the link text of an address."))}
            )
        return value


def link_href(value) -> str:
    page = value.get("page")
    return page.url if page else value.get("url") or ""


def link_text(value) -> str:
    page = value.get("page")
    return value.get("label") or (page.title if page else value.get("url") or "")


class CardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)
    image = ImageChooserBlock(label=_("image"), required=False, help_text=_("Decorative: the title says it all."))
    page = blocks.PageChooserBlock(label=_("page or form"), required=False)
    document = DocumentChooserBlock(label=_("or document"), required=False)
    url = blocks.URLBlock(label=_("or another address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if sum(1 for name in ("page", "document", "url") if value.get(name)) != 1:
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose one target: a page, a document or an address."))}
            )
        return value


class CardsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, required=False)
    cards = blocks.ListBlock(CardBlock(), label=_("cards"), min_num=1)

    class Meta:
        icon = "grip"
        label = _("Cards")
        template = "home/blocks/cards.html"
        help_text = _("Tiles that each lead to a page, a form or a document; the whole tile is one link.")


class CallToActionBlock(LinkBlock):
    text = blocks.CharBlock(label=_("sentence before the button"), max_length=200, required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "home/blocks/call_to_action.html"
        help_text = _("One button leading to the main thing to do, e.g. “Inscrire mon enfant”.")


class DocumentsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("document")), label=_("documents"), min_num=1)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Documents to download")
        template = "home/blocks/documents.html"
        help_text = _("Each document is listed with its format and size, so that families know what they open.")


class ContactCardBlock(blocks.StructBlock):
    service = blocks.CharBlock(label=_("service"), max_length=150)
    address = blocks.TextBlock(label=_("address"), required=False)
    hours = blocks.TextBlock(label=_("opening hours"), required=False)
    phone = blocks.CharBlock(label=_("phone"), max_length=30, required=False)
    email = blocks.EmailBlock(label=_("email"), required=False)

    class Meta:
        icon = "user"
        label = _("Contact card")
        template = "home/blocks/contact.html"
        help_text = _("How to reach a service: address, opening hours, phone and email.")


class KeyDateBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("date"))
    end_date = blocks.DateBlock(label=_("until"), required=False)
    label = blocks.CharBlock(label=_("what happens"), max_length=200)


class KeyDatesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, required=False)
    dates = blocks.ListBlock(KeyDateBlock(), label=_("dates"), min_num=1)

    class Meta:
        icon = "date"
        label = _("Key dates")
        template = "home/blocks/key_dates.html"
        help_text = _("The dates of the year families must not miss, in order.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["dates"] = sorted(value["dates"], key=lambda item: item["date"])
        return context
