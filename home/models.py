"""Council pages: each council's home page (its identity), content pages, deliberations, internal rules
(versioned, with their acceptances) and tariff decrees."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .validators import (
    validate_actes_acknowledgement_id,
    validate_actes_code,
    validate_insee_code,
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


# --- Deliberations -------------------------------------------------------------------------------

ACTES_SUBJECTS = {
    "1": _("Public procurement"),
    "2": _("Town planning"),
    "3": _("Property and estate"),
    "4": _("Civil service"),
    "5": _("Institutions and political life"),
    "6": _("Public liberties and police powers"),
    "7": _("Local finances"),
    "8": _("Areas of competence by theme"),
    "9": _("Other areas of competence"),
}


class DeliberationIndexPage(Page):
    """The list of a council's deliberations: newest first, filtered by year and ACTES code, searchable."""

    introduction = RichTextField(_("introduction"), blank=True)
    per_page = 20

    parent_page_types = ["home.CouncilHomePage"]
    subpage_types = ["home.DeliberationPage"]
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    class Meta:
        verbose_name = _("deliberations index")
        verbose_name_plural = _("deliberations indexes")

    def deliberations(self):
        return DeliberationPage.objects.child_of(self).live().public().order_by("-session_date", "-number")

    def get_context(self, request, *args, **kwargs):
        from .selectors import deliberations_filter  # the listing's filters live with the other reads

        context = super().get_context(request, *args, **kwargs)
        context.update(deliberations_filter(index=self, params=request.GET, per_page=self.per_page))
        return context


class DeliberationPage(Page):
    """A deliberation (délibération) of the council, with its vote and the préfecture's acknowledgement."""

    number = models.CharField(_("number"), max_length=30, help_text=_("As on the register, e.g. 2022-41 or 29/2025."))
    session_date = models.DateField(_("session date"))
    nomenclature_code = models.CharField(
        _("ACTES nomenclature code"), max_length=8, validators=[validate_actes_code], help_text=_("e.g. 7.10 or 8.2.")
    )
    nomenclature_label = models.CharField(_("ACTES nomenclature label"), max_length=255, blank=True)
    subject = models.TextField(_("subject"))
    decision = RichTextField(_("decision"))
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    signed_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("signed deliberation (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledgement_id = models.CharField(
        _("préfecture acknowledgement ID"),
        max_length=80,
        blank=True,
        validators=[validate_actes_acknowledgement_id],
        help_text=_("As on the acknowledgement of receipt, e.g. 021-212103907-20220629-DELIB2022-41-DE."),
    )
    sent_on = models.DateField(_("sent to the préfecture on"), null=True, blank=True)
    received_on = models.DateField(_("received by the préfecture on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    parent_page_types = ["home.DeliberationIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("number"),
                FieldPanel("session_date"),
                FieldPanel("nomenclature_code"),
                FieldPanel("nomenclature_label"),
            ],
            heading=_("Deliberation"),
        ),
        FieldPanel("subject"),
        FieldPanel("decision"),
        MultiFieldPanel(
            [FieldPanel("votes_for"), FieldPanel("votes_against"), FieldPanel("abstentions")], heading=_("Vote")
        ),
        FieldPanel("signed_document"),
        MultiFieldPanel(
            [
                FieldPanel("acknowledgement_id"),
                FieldPanel("sent_on"),
                FieldPanel("received_on"),
                FieldPanel("published_on"),
            ],
            heading=_("Préfecture"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("number"),
        index.SearchField("subject"),
        index.SearchField("decision"),
        index.FilterField("session_date"),
        index.FilterField("nomenclature_code"),
    ]

    class Meta:
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    @property
    def actes_subject(self) -> str:
        return ACTES_SUBJECTS.get(self.nomenclature_code.split(".")[0], "")

    def clean(self):
        super().clean()
        errors = {}
        if self.received_on and self.sent_on and self.received_on < self.sent_on:
            errors["received_on"] = _("The préfecture cannot receive the deliberation before it was sent.")
        if self.sent_on and self.session_date and self.sent_on < self.session_date:
            errors["sent_on"] = _("A deliberation cannot be sent before its session.")
        if errors:
            raise ValidationError(errors)
