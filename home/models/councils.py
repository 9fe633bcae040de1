"""A council's home page (the root of its Wagtail site, holder of its identity, menus and settings)
and its standard pages."""

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import HomeStreamBlock, MenuItemBlock
from ..blocks.links import LinkBlock
from ..validators import (
    validate_insee_code,
    validate_insee_code_list,
    validate_siret,
    validate_theme_colour,
)


class CouncilKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    CCAS = "ccas", _("CCAS (social action centre)")
    CENTRE_SOCIAL = "centre_social", _("Social centre")
    SYNDICATE = "syndicate", _("Intercommunal syndicate")


class CouncilHomePage(Page):
    """A council's home page: the root of its Wagtail ``Site`` and the holder of its identity.

    Its slug identifies the council in commands (``--council <slug>``).
    """

    official_name = models.CharField(_("official name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=CouncilKind.choices, default=CouncilKind.COMMUNE)
    siret = models.CharField(
        _("SIRET"), max_length=14, validators=[validate_siret], help_text=_("14 digits, without spaces.")
    )
    insee_code = models.CharField(_("INSEE code"), max_length=5, validators=[validate_insee_code])
    served_insee_codes = models.CharField(
        _("communes served (INSEE codes)"),
        max_length=1000,
        blank=True,
        validators=[validate_insee_code_list],
        help_text=_(
            "INSEE codes of the communes whose residents pay the residents' prices, separated by commas "
            "(e.g. 21054, 21231). Empty: the council's own INSEE code."
        ),
    )
    address = models.TextField(_("postal address"))
    email = models.EmailField(_("contact email"))
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    dpo_name = models.CharField(_("data protection officer"), max_length=255, blank=True)
    dpo_email = models.EmailField(_("data protection officer email"))
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#1d4f91",
        validators=[validate_theme_colour],
        help_text=_("Used for the header and buttons; white text on it must stay readable (4.5:1)."),
    )
    introduction = RichTextField(_("introduction"), blank=True)
    body = StreamField(
        HomeStreamBlock(),
        verbose_name=_("home page blocks"),
        blank=True,
        help_text=_("Banner, online procedures, news, events, key dates... in the order families need them."),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("favicon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A square image, shown in the browser's tab."),
    )
    social_links = StreamField(
        [("link", LinkBlock())],
        verbose_name=_("social networks"),
        blank=True,
        help_text=_("E.g. the council's Facebook or Mastodon page; the link text names the network."),
    )
    main_menu = StreamField(
        [("item", MenuItemBlock())],
        verbose_name=_("main menu"),
        blank=True,
        help_text=_("At most seven entries, each with an optional submenu. Empty: the pages marked “show in menus”."),
    )
    footer_menu = StreamField(
        [("link", LinkBlock())],
        verbose_name=_("footer links"),
        blank=True,
        help_text=_("Shown in the footer beside the legal pages."),
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_notice_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("legal notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    personal_data_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("personal data"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cookies_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("cookies"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    parent_page_types = ["wagtailcore.Page"]

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    identity_panels = [
        MultiFieldPanel(
            [
                FieldPanel("official_name"),
                FieldPanel("kind"),
                FieldPanel("siret"),
                FieldPanel("insee_code"),
                FieldPanel("served_insee_codes"),
                FieldPanel("address"),
                FieldPanel("email"),
                FieldPanel("phone"),
                FieldPanel("dpo_name"),
                FieldPanel("dpo_email"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("primary_colour"), FieldPanel("favicon"), FieldPanel("social_links")],
            heading=_("Theme"),
        ),
    ]
    navigation_panels = [
        FieldPanel("main_menu"),
        FieldPanel("footer_menu"),
        MultiFieldPanel(
            [
                FieldPanel("accessibility_page"),
                FieldPanel("legal_notice_page"),
                FieldPanel("personal_data_page"),
                FieldPanel("cookies_page"),
            ],
            heading=_("Legal pages in the footer"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(identity_panels, heading=_("Identity")),
            ObjectList(navigation_panels, heading=_("Menus")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    search_fields = [*Page.search_fields, index.SearchField("official_name"), index.SearchField("body")]

    class Meta:
        verbose_name = _("council home page")
        verbose_name_plural = _("council home pages")

    def __str__(self) -> str:
        return self.official_name or self.title

    def served_codes(self) -> list[str]:
        """INSEE codes of the communes the council serves (its residents)."""
        codes = [code.strip().upper() for code in self.served_insee_codes.split(",") if code.strip()]
        return codes or [self.insee_code]

    @cached_property
    def menu_pages(self) -> list[Page]:
        """Live child pages marked "show in menus", for the main navigation."""
        return list(self.get_children().live().in_menu())

    @cached_property
    def main_menu_entries(self) -> list[dict]:
        """The main menu: its entries with their submenus, or the pages marked "show in menus" when empty."""
        site = self.get_site()
        if not self.main_menu:
            return [
                {"href": p.get_url(current_site=site), "text": p.title, "page_id": p.pk, "children": []}
                for p in self.menu_pages
            ]
        return [
            {**menu_link(item.value, site), "children": [menu_link(child, site) for child in item.value["children"]]}
            for item in self.main_menu
        ]

    @cached_property
    def footer_links(self) -> list[Page]:
        """The live footer pages (accessibility, legal notice, personal data, cookies), in one query."""
        ids = [self.accessibility_page_id, self.legal_notice_page_id, self.personal_data_page_id, self.cookies_page_id]
        pages = Page.objects.live().in_bulk([pk for pk in ids if pk])
        return [pages[pk] for pk in ids if pk in pages]


def menu_link(value, site) -> dict:
    """A menu entry's address (relative within the council's own site), text and page."""
    page = value.get("page")
    return {
        "href": page.get_url(current_site=site) if page else value.get("url"),
        "text": value.get("label") or (page.title if page else value.get("url")),
        "page_id": page.pk if page else None,
    }


class StandardPage(Page):
    """A plain content page: legal notice, accessibility statement, practical information..."""

    body = RichTextField(_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
