"""StreamField blocks of the council's website, one module per family (as Sites Conformes's
``content_manager/blocks/``): text, media, links and contacts, the home page's live lists, and the tariff
rules of decrees. ``ContentStreamBlock`` is the library offered on content pages, ``HomeStreamBlock`` the
one offered on a council's home page."""

from wagtail import blocks

from .home import BannerBlock, LatestNewsBlock, NextEventsBlock, OnlineProceduresBlock
from .links import CallToActionBlock, CardsBlock, ContactCardBlock, DocumentsBlock, KeyDatesBlock, LinkBlock
from .media import ImageBlock, ImageTextBlock, VideoBlock
from .navigation import MenuItemBlock
from .tariffs import (
    UNIT_LABELS,
    TariffServicesBlock,
    TrancheGridBlock,
    rule_from_stream_child,
    stream_data_from_rule,
)
from .text import AccordionBlock, CalloutBlock, HeadingBlock, QuoteBlock, TableBlock, rich_text_block

__all__ = [
    "UNIT_LABELS",
    "AccordionBlock",
    "BannerBlock",
    "CallToActionBlock",
    "CalloutBlock",
    "CardsBlock",
    "ContactCardBlock",
    "ContentStreamBlock",
    "DocumentsBlock",
    "HeadingBlock",
    "HomeStreamBlock",
    "ImageBlock",
    "ImageTextBlock",
    "KeyDatesBlock",
    "LatestNewsBlock",
    "LinkBlock",
    "MenuItemBlock",
    "NextEventsBlock",
    "OnlineProceduresBlock",
    "QuoteBlock",
    "TableBlock",
    "TariffServicesBlock",
    "TrancheGridBlock",
    "VideoBlock",
    "rule_from_stream_child",
    "stream_data_from_rule",
]


class ContentStreamBlock(blocks.StreamBlock):
    """The blocks an editor composes a content page from."""

    text = rich_text_block()
    heading = HeadingBlock()
    image = ImageBlock()
    image_text = ImageTextBlock()
    callout = CalloutBlock()
    accordion = AccordionBlock()
    cards = CardsBlock()
    call_to_action = CallToActionBlock()
    documents = DocumentsBlock()
    table = TableBlock()
    quote = QuoteBlock()
    contact = ContactCardBlock()
    key_dates = KeyDatesBlock()
    video = VideoBlock()


class HomeStreamBlock(ContentStreamBlock):
    """A council's home page: the content blocks plus the banner and the lists kept up to date by themselves."""

    banner = BannerBlock()
    online_procedures = OnlineProceduresBlock()
    latest_news = LatestNewsBlock()
    next_events = NextEventsBlock()
