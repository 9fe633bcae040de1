"""Text blocks: rich text, heading, callout, accordion, table with a caption, quote."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock as WagtailTableBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


def rich_text_block(**kwargs) -> blocks.RichTextBlock:
    return blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        label=_("Text"),
        help_text=_("Paragraphs, lists and links. Name each link after where it leads, never “click here”."),
        template="home/blocks/text.html",
        **kwargs,
    )


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=150)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Level 2 (section)")), ("h3", _("Level 3 (sub-section)")), ("h4", _("Level 4"))],
        default="h2",
        help_text=_("Do not skip a level: a level 3 heading follows a level 2 one."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "home/blocks/heading.html"
        help_text = _("A section heading: screen reader users jump from heading to heading.")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("info", _("Information")), ("warning", _("Warning")), ("success", _("Success"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("title"), max_length=150)
    text = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "home/blocks/callout.html"
        help_text = _("Draws attention to one message; its kind is written out, not shown by colour alone.")


class AccordionItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("question or title"), max_length=200)
    body = blocks.RichTextBlock(label=_("answer or content"), features=RICH_TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, required=False)
    items = blocks.ListBlock(AccordionItemBlock(), label=_("sections"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Accordion")
        template = "home/blocks/accordion.html"
        help_text = _(
            "Sections that open and close (e.g. a FAQ), with a real disclosure button usable with the keyboard."
        )


class TableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label=_("caption"), max_length=200, help_text=_("Says what the table shows."))
    table = WagtailTableBlock(label=_("table"))

    class Meta:
        icon = "table"
        label = _("Table")
        template = "home/blocks/table.html"
        help_text = _("For data only, never for layout. Tick “first row is a header” in the table's options.")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    author = blocks.CharBlock(label=_("author"), max_length=150, required=False)
    source = blocks.CharBlock(label=_("source"), max_length=200, required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "home/blocks/quote.html"
        help_text = _("Someone's words, with who said them.")
