"""The council's website pages: content pages built from blocks, news (actualités) and the agenda."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from . import feeds, ical
from .blocks import ContentStreamBlock

SECTION_PARENTS = ["home.CouncilHomePage", "home.ContentPage"]


class ContentPage(Page):
    """A page composed from the library of accessible blocks (Sites Conformes's "content page")."""

    introduction = models.TextField(_("introduction"), blank=True, help_text=_("One or two sentences, shown in bold."))
    body = StreamField(ContentStreamBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = SECTION_PARENTS
    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("introduction"), index.SearchField("body")]

    class Meta:
        verbose_name = _("content page (blocks)")
        verbose_name_plural = _("content pages (blocks)")


class NewsIndexPage(RoutablePageMixin, Page):
    """The council's news (actualités): newest first, paginated, filtered by tag, with RSS and Atom feeds."""

    introduction = RichTextField(_("introduction"), blank=True)
    per_page = 10

    parent_page_types = SECTION_PARENTS
    subpage_types = ["home.NewsPage"]
    max_count_per_parent = 1
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def news(self):
        return NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")

    @path("")
    def index(self, request):
        items = self.news()
        tag = request.GET.get("tag", "").strip()
        if tag:
            items = items.filter(tags__slug=tag)
        page_obj = Paginator(items.select_related("image"), self.per_page).get_page(request.GET.get("page"))
        tags = NewsPageTag.objects.filter(content_object__in=self.news()).values_list("tag__name", "tag__slug")
        return self.render(
            request,
            context_overrides={"page_obj": page_obj, "tag": tag, "tags": sorted(set(tags))},
        )

    @path("rss/")
    def rss(self, request):
        return feeds.NewsRssFeed()(request, index=self)

    @path("atom/")
    def atom(self, request):
        return feeds.NewsAtomFeed()(request, index=self)


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("home.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsPage(Page):
    """A news item: date, image, summary, tags and a body built from blocks."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=300, help_text=_("Shown in lists and in the feed."))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Decorative in lists: the title says what the news is about."),
    )
    body = StreamField(ContentStreamBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    parent_page_types = ["home.NewsIndexPage"]
    subpage_types: list = []
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("tags")]),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class EventIndexPage(RoutablePageMixin, Page):
    """The agenda: coming events (soonest first) and past ones, with an iCal file of the whole agenda."""

    introduction = RichTextField(_("introduction"), blank=True)
    per_page = 20

    parent_page_types = SECTION_PARENTS
    subpage_types = ["home.EventPage"]
    max_count_per_parent = 1
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def events(self):
        return EventPage.objects.child_of(self).live().public()

    @path("")
    def index(self, request):
        now = timezone.now()
        past = request.GET.get("periode") == "passes"
        coming = Q(end__gte=now) | Q(end__isnull=True, start__gte=now)
        items = (
            self.events().exclude(coming).order_by("-start") if past else self.events().filter(coming).order_by("start")
        )
        page_obj = Paginator(items, self.per_page).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={"page_obj": page_obj, "past": past})

    @path("ical/")
    def ical(self, request):
        return ical_response(ical.calendar_for(self.title, self.events().order_by("start"), request), "agenda.ics")


class EventPage(RoutablePageMixin, Page):
    """An event of the agenda: when, where, for whom, how to register."""

    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255)
    audience = models.CharField(_("audience"), max_length=255, blank=True, help_text=_("E.g. families, 6-11 years."))
    registration_url = models.URLField(_("registration link"), blank=True)
    summary = models.TextField(_("summary"), max_length=300)
    body = StreamField(ContentStreamBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = ["home.EventIndexPage"]
    subpage_types: list = []
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("place"), FieldPanel("audience")],
            heading=_("When and where"),
        ),
        FieldPanel("registration_url"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("place"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The event must end after it starts.")})

    @path("")
    def detail(self, request):
        return self.render(request)

    @path("ical/")
    def ical(self, request):
        return ical_response(ical.calendar_for(self.title, [self], request), f"{self.slug}.ics")


def ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
