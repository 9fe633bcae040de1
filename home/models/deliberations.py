"""Deliberations of a council's assembly, their index page, and the links other pages make to them."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..validators import (
    validate_actes_acknowledgement_id,
    validate_actes_code,
)

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


def _actes_code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


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

    def filtered(self, params) -> dict:
        """The deliberations of an index page filtered by ``year``, ``code`` (ACTES, prefix) and ``q``, paginated.

        Returns the template context: ``deliberations`` (the current page), ``years`` and ``codes`` (the choices
        that have deliberations) and ``filters`` (the cleaned values, to keep them in pagination links).
        """
        everything = self.deliberations()
        queryset = everything
        year = params.get("year", "").strip()
        code = params.get("code", "").strip()
        query = params.get("q", "").strip()[:100]
        if year.isdigit():
            queryset = queryset.filter(session_date__year=int(year))
        else:
            year = ""
        if code:
            queryset = queryset.filter(Q(nomenclature_code=code) | Q(nomenclature_code__startswith=f"{code}."))
        if query:
            for word in query.split():
                queryset = queryset.filter(
                    Q(title__icontains=word)
                    | Q(number__icontains=word)
                    | Q(subject__icontains=word)
                    | Q(nomenclature_label__icontains=word)
                )
        years = sorted({d.year for d in everything.values_list("session_date", flat=True)}, reverse=True)
        codes = sorted(set(everything.values_list("nomenclature_code", flat=True)), key=_actes_code_key)
        paginator = Paginator(queryset, self.per_page)
        page = paginator.get_page(params.get("page"))
        filters = {name: value for name, value in (("year", year), ("code", code), ("q", query)) if value}
        return {
            "deliberations": page,
            "years": years,
            "codes": codes,
            "filters": filters,
            "filter_query": urlencode(filters),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.filtered(request.GET))
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


class DeliberationLink(Orderable):
    """A deliberation that adopted or modified a page's subject (rules, tariffs)."""

    class Role(models.TextChoices):
        ADOPTED = "adopted", _("Adopted by")
        MODIFIED = "modified", _("Modified by")
        REFERENCE = "reference", _("Legal basis")

    deliberation = models.ForeignKey(
        "home.DeliberationPage", verbose_name=_("deliberation"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ADOPTED)

    panels = [PageChooserPanel("deliberation", "home.DeliberationPage"), FieldPanel("role")]

    class Meta(Orderable.Meta):
        abstract = True
