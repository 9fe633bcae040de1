"""Blocks of a council's home page: the banner and the lists that keep themselves up to date (online
procedures open now, latest news, next events)."""

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from ..procedures import online_procedures
from .links import LinkBlock


def page_from_context(parent_context):
    return (parent_context or {}).get("page")


class BannerBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)
    image = ImageChooserBlock(label=_("image"), required=False, help_text=_("Decorative background image."))
    link = LinkBlock(label=_("button"), required=False)

    class Meta:
        icon = "image"
        label = _("Banner")
        template = "home/blocks/banner.html"
        help_text = _("The top of the home page: a title, a sentence and the main button.")


class OnlineProceduresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, default="Démarches en ligne")

    class Meta:
        icon = "form"
        label = _("Online procedures")
        template = "home/blocks/online_procedures.html"
        help_text = _(
            "Lists by itself the forms open now with their closing date, and those opening in the next two months."
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = page_from_context(parent_context)
        context["open_now"], context["soon"] = online_procedures(council=page, now=timezone.now()) if page else ([], [])
        return context


class LatestNewsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, default="Actualités")
    count = blocks.IntegerBlock(label=_("how many"), default=3, min_value=1, max_value=9)

    class Meta:
        icon = "doc-full"
        label = _("Latest news")
        template = "home/blocks/latest_news.html"
        help_text = _("The most recent news items of this council, newest first.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = page_from_context(parent_context)
        # Through the app registry: the page models are built from these blocks.
        news_page = apps.get_model("home", "NewsPage")
        items = news_page.objects.live().public().descendant_of(page) if page else news_page.objects.none()
        context["items"] = items.order_by("-date", "-pk")[: value["count"]]
        context["index"] = page and page.get_children().live().type(apps.get_model("home", "NewsIndexPage")).first()
        return context


class NextEventsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=150, default="Agenda")
    count = blocks.IntegerBlock(label=_("how many"), default=3, min_value=1, max_value=9)

    class Meta:
        icon = "date"
        label = _("Next events")
        template = "home/blocks/next_events.html"
        help_text = _("The coming events of this council, soonest first.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = page_from_context(parent_context)
        event_page = apps.get_model("home", "EventPage")
        items = event_page.objects.live().public().descendant_of(page) if page else event_page.objects.none()
        now = timezone.now()
        items = items.filter(Q(end__gte=now) | Q(end__isnull=True, start__gte=now))
        context["items"] = items.order_by("start", "pk")[: value["count"]]
        context["index"] = page and page.get_children().live().type(apps.get_model("home", "EventIndexPage")).first()
        return context
