"""Tariff decrees: their legal references, validity and services, as the tariff engine reads them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .. import tariffs
from ..blocks import TariffServicesBlock, rule_from_stream_child
from ..forms import tariff_simulation
from .councils import CouncilHomePage
from .deliberations import DeliberationLink


class TariffDecreePage(Page):
    """A tariff decree (arrêté or deliberation fixing prices): its legal references, validity and services.

    Each service is a StreamField block that the tariff engine (``home.tariffs``) turns into a rule; the
    page shows each grid as a table and answers "simulate my price".
    """

    class NoProof(models.TextChoices):
        MAXIMUM = tariffs.NoProofPolicy.MAXIMUM.value, _("The maximum rate or the top tranche applies")
        REFUSE = tariffs.NoProofPolicy.REFUSE.value, _("No price without a proof of income")

    class RoundingMode(models.TextChoices):
        HALF_UP = tariffs.RoundingMode.HALF_UP.value, _("To the nearest cent, half up")
        HALF_EVEN = tariffs.RoundingMode.HALF_EVEN.value, _("To the nearest cent, half to even")
        DOWN = tariffs.RoundingMode.DOWN.value, _("Down to the cent")
        UP = tariffs.RoundingMode.UP.value, _("Up to the cent")

    key = models.SlugField(
        _("stable key"),
        max_length=100,
        help_text=_("Identifies this decree in imports and open data, e.g. tarifs-2026. Unique per council."),
    )
    reference = models.CharField(
        _("legal reference"), max_length=255, help_text=_("e.g. Arrêté du maire n° 2026-112 du 30 juin 2026.")
    )
    arrete_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("signed decree (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Leave empty if open-ended."))
    introduction = RichTextField(_("introduction"), blank=True)
    non_resident_surcharge = models.DecimalField(
        _("non-resident surcharge (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(tariffs.MAX_NON_RESIDENT_SURCHARGE)],
        help_text=_("From 0 to 15 % (the CAF's maximum); it does not apply to the national PSU barème."),
    )
    no_proof_policy = models.CharField(
        _("without proof of income"), max_length=10, choices=NoProof.choices, default=NoProof.MAXIMUM
    )
    rounding_mode = models.CharField(
        _("rounding"), max_length=10, choices=RoundingMode.choices, default=RoundingMode.HALF_UP
    )
    services = StreamField(TariffServicesBlock(), verbose_name=_("services"))

    parent_page_types = ["home.CouncilHomePage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("key"),
                FieldPanel("reference"),
                FieldPanel("arrete_document"),
                FieldPanel("valid_from"),
                FieldPanel("valid_to"),
            ],
            heading=_("Legal references and validity"),
        ),
        InlinePanel("deliberation_links", label=_("Deliberations")),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldPanel("non_resident_surcharge"), FieldPanel("no_proof_policy"), FieldPanel("rounding_mode")],
            heading=_("Pricing terms"),
        ),
        FieldPanel("services"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("reference"), index.FilterField("valid_from")]

    class Meta:
        verbose_name = _("tariff decree")
        verbose_name_plural = _("tariff decrees")

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity cannot be before its start.")
        keys = [child.value["key"] for child in self.services]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            errors["services"] = _("Two services have the same key: %(keys)s.") % {"keys": ", ".join(duplicates)}
        if self.key:
            parent = self.get_parent() if self.pk else None
            council = CouncilHomePage.objects.ancestor_of(parent, inclusive=True).first() if parent else None
            if council is not None:
                clash = TariffDecreePage.objects.descendant_of(council).filter(key=self.key).exclude(pk=self.pk)
                if clash.exists():
                    errors["key"] = _("Another decree of this council already uses this key.")
        if errors:
            raise ValidationError(errors)

    def grid(self) -> tariffs.Grid:
        """The decree as the tariff engine sees it."""
        return tariffs.Grid(
            reference=self.reference or self.title,
            services=tuple(rule_from_stream_child(child) for child in self.services),
            non_resident_surcharge=self.non_resident_surcharge,
            no_proof=tariffs.NoProofPolicy(self.no_proof_policy),
            rounding=tariffs.Rounding(mode=tariffs.RoundingMode(self.rounding_mode)),
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["grid"] = self.grid()
        context.update(tariff_simulation(request.GET, grid=context["grid"]))
        return context


class TariffDecreeDeliberation(DeliberationLink):
    page = ParentalKey("home.TariffDecreePage", related_name="deliberation_links", on_delete=models.CASCADE)
