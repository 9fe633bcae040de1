"""Council pages: each council's home page (its identity) and its plain content pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .validators import validate_insee_code, validate_siret, validate_theme_colour


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

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldPanel("official_name"),
                FieldPanel("kind"),
                FieldPanel("siret"),
                FieldPanel("insee_code"),
                FieldPanel("address"),
                FieldPanel("email"),
                FieldPanel("phone"),
                FieldPanel("dpo_name"),
                FieldPanel("dpo_email"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("primary_colour")], heading=_("Theme")),
        MultiFieldPanel(
            [
                FieldPanel("accessibility_page"),
                FieldPanel("legal_notice_page"),
                FieldPanel("personal_data_page"),
                FieldPanel("cookies_page"),
            ],
            heading=_("Footer links"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("official_name")]

    class Meta:
        verbose_name = _("council home page")
        verbose_name_plural = _("council home pages")

    def __str__(self) -> str:
        return self.official_name or self.title

    @property
    def footer_links(self) -> list[Page]:
        pages = [self.accessibility_page, self.legal_notice_page, self.personal_data_page, self.cookies_page]
        return [page for page in pages if page is not None and page.live]


class StandardPage(Page):
    """A plain content page: legal notice, accessibility statement, practical information..."""

    body = RichTextField(_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
