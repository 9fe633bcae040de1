"""Council pages: each council's home page (its identity), content pages, deliberations, internal rules
(versioned, with their acceptances) and tariff decrees."""

import hashlib
import uuid
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, PageChooserPanel, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import tariffs
from .blocks import HomeStreamBlock, MenuItemBlock, TariffServicesBlock, rule_from_stream_child
from .blocks.links import LinkBlock
from .forms import RulesAcceptanceForm, tariff_simulation
from .pages import (  # noqa: F401 (the website pages are models of this app)
    ContentPage,
    EventIndexPage,
    EventPage,
    NewsIndexPage,
    NewsPage,
    NewsPageTag,
)
from .validators import (
    validate_actes_acknowledgement_id,
    validate_actes_code,
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


# --- Internal rules, versioned, and their acceptances ------------------------------------------------


class AppendOnlyError(Exception):
    """Evidence records are written once: no update, no delete."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted.")

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A record that can be created and read, never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:  # read from the database (or given a row's id): only new records are saved
            raise AppendOnlyError(f"{type(self).__name__} records cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted.")


class RulesArticleBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("number"), max_length=20, required=False)
    heading = blocks.CharBlock(label=_("heading"), max_length=255)
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "ol", "ul", "link", "h3"])

    class Meta:
        icon = "doc-full"
        label = _("Article")
        template = "home/blocks/rules_article.html"


class RulesPage(RoutablePageMixin, Page):
    """A set of internal rules (règlement intérieur), e.g. the social centre's or the canteen's.

    Each publication whose text or effective date changed makes a new numbered ``RulesVersion`` (see
    ``home.services.rules_version_publish``); families accept a version, never the live page.
    """

    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Not part of the rules' text."))
    body = RichTextField(_("text of the rules"), blank=True)
    articles = StreamField([("article", RulesArticleBlock())], verbose_name=_("articles"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("rules as a PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    services = models.CharField(
        _("services governed"), max_length=255, blank=True, help_text=_("e.g. Accueil de loisirs, périscolaire.")
    )
    adoption_date = models.DateField(_("adopted on"), null=True, blank=True)
    effective_date = models.DateField(
        _("in force from"),
        help_text=_("Publishing a changed text makes a new version in force from this date; families accept it again."),
    )

    parent_page_types = ["home.CouncilHomePage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldPanel("services"), FieldPanel("adoption_date"), FieldPanel("effective_date")],
            heading=_("Scope and dates"),
        ),
        FieldPanel("body"),
        FieldPanel("articles"),
        FieldPanel("document"),
        InlinePanel("deliberation_links", label=_("Deliberations")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body"), index.SearchField("services")]

    class Meta:
        verbose_name = _("internal rules")
        verbose_name_plural = _("internal rules")

    def frozen_text(self) -> str:
        """The exact HTML shown to families for this content: what a version freezes and hashes."""
        return render_to_string("home/includes/rules_text.html", {"rules": self}).strip()

    def clean(self):
        super().clean()
        if self.pk and self.effective_date:
            latest = self.versions.order_by("-number").first()
            if latest and self.effective_date < latest.effective_date:
                raise ValidationError(
                    {
                        "effective_date": _(
                            "Version %(number)s is in force from %(date)s: a new version cannot start earlier."
                        )
                        % {"number": latest.number, "date": date_format(latest.effective_date)}
                    }
                )

    # Reads and writes of the rules' evidence (``home.selectors`` and ``home.services`` call these).

    def version_in_force(self, *, on: date | None = None) -> "RulesVersion | None":
        """The version in force on ``on`` (today by default): the latest to have taken effect."""
        on = on or timezone.localdate()
        return self.versions.filter(effective_date__lte=on).order_by("-effective_date", "-number").first()

    def versions_with_periods(self) -> list["RulesVersion"]:
        """Every version, oldest first, each with ``valid_to`` (its last day in force or ``None``) and
        ``in_force`` (today)."""
        versions = list(self.versions.order_by("number").defer("text"))
        in_force = self.version_in_force()
        for position, version in enumerate(versions):
            later = [v.effective_date for v in versions[position + 1 :]]
            version.valid_to = min(later) - timedelta(days=1) if later else None
            version.in_force = in_force is not None and version.pk == in_force.pk
        return versions

    def acceptance_status(self, user) -> str:
        """``"accepted"`` (the version in force), ``"outdated"`` (only earlier versions) or ``"never"``."""
        if not user.is_authenticated:
            return "never"
        accepted = set(self.acceptances.filter(user=user).values_list("version_id", flat=True))
        if not accepted:
            return "never"
        in_force = self.version_in_force()
        if in_force is None or in_force.pk in accepted:
            return "accepted"
        return "outdated"

    def accept(
        self,
        *,
        user,
        guardian_name: str,
        checkbox_label: str,
        ip_address: str | None,
        user_agent: str,
        version: "RulesVersion | None" = None,
    ) -> "RulesAcceptance":
        """Record, as evidence, that ``user`` (guardian ``guardian_name``) accepted a version of these rules
        (``home.services.rules_accept`` documents the refusals)."""
        if user is None or not user.is_authenticated:
            raise ValidationError(_("Only a logged-in family account can accept the rules."), code="anonymous")
        guardian_name = (guardian_name or "").strip()
        if not guardian_name:
            raise ValidationError(_("Give the name of the guardian who accepts the rules."), code="guardian_required")
        if not (checkbox_label or "").strip():
            raise ValidationError(_("The label of the acceptance checkbox is required as evidence."), code="label")
        if version is None:
            version = self.version_in_force()
            if version is None:
                raise ValidationError(_("No version of these rules is in force yet."), code="no_version")
        elif version.rules_page_id != self.pk:
            raise ValidationError(_("This version belongs to other rules."), code="wrong_version")
        return self.acceptances.create(
            user=user,
            guardian_name=guardian_name[:255],
            version=version,
            version_number=version.number,
            text_sha256=version.text_sha256,
            checkbox_label=checkbox_label,
            accepted_at=timezone.now(),
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:1000],
        )

    # The page and its sub-pages, as families see them.

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["versions"] = self.versions_with_periods()
        context["version_in_force"] = self.version_in_force()
        if request.user.is_authenticated:
            context["acceptance_status"] = self.acceptance_status(request.user)
        return context

    @path("version/<int:number>/", name="version")
    def version_view(self, request, number):
        """A version at its stable URL: its frozen text and when it was in force."""
        versions = self.versions_with_periods()
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            raise Http404
        version.text = self.versions.values_list("text", flat=True).get(pk=version.pk)
        return render(request, "home/rules_version.html", {"page": self, "version": version, "versions": versions})

    @path("accepter/", name="accept")
    @method_decorator(never_cache)
    def accept_view(self, request):
        """Read the version in force and accept it (logged-in family accounts)."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        version = self.version_in_force()
        status = self.acceptance_status(request.user)
        form = RulesAcceptanceForm(request.POST or None, version=version) if version else None
        if request.method == "POST" and form is not None and form.is_valid():
            acceptance = self.accept(
                user=request.user,
                guardian_name=form.cleaned_data["guardian_name"],
                checkbox_label=str(form.fields["accept"].label),
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.headers.get("user-agent", ""),
                version=version,
            )
            messages.success(request, gettext("Thank you: your acceptance is recorded. Keep this receipt."))
            receipt = reverse("home:rules_receipt", kwargs={"reference": acceptance.reference})
            following = safe_next_url(request)
            return redirect(f"{receipt}?{urlencode({'next': following})}" if following else receipt)
        mine = self.acceptances.filter(user=request.user).order_by("-accepted_at")
        return render(
            request,
            "home/rules_accept.html",
            {"page": self, "version": version, "form": form, "status": status, "acceptances": mine},
        )


def safe_next_url(request) -> str:
    """Where to go after accepting (e.g. back to what the family was doing at login), if on this site."""
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return ""


class RulesPageDeliberation(DeliberationLink):
    page = ParentalKey("home.RulesPage", related_name="deliberation_links", on_delete=models.CASCADE)


class RulesVersion(AppendOnlyModel):
    """A published version of a set of rules: its number, its effective date and the frozen, hashed text."""

    rules_page = models.ForeignKey(
        RulesPage, verbose_name=_("rules"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    effective_date = models.DateField(_("in force from"))
    text = models.TextField(_("text shown to families"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("rules version")
        verbose_name_plural = _("rules versions")
        ordering = ["rules_page", "number"]
        constraints = [models.UniqueConstraint(fields=["rules_page", "number"], name="home_rules_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} – v{self.number}"

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def url(self) -> str:
        return self.rules_page.url + self.rules_page.reverse_subpage("version", kwargs={"number": self.number})


class RulesAcceptance(AppendOnlyModel):
    """Evidence that a family account (and which guardian) accepted a version of a set of rules.

    A simple electronic signature (eIDAS; Code civil art. 1366-1367): the record keeps what makes the
    process provable (exact text hash, exact checkbox label, UTC time, IP, user agent) and is append-only.
    """

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("family account"),
        on_delete=models.PROTECT,
        related_name="rules_acceptances",
    )
    guardian_name = models.CharField(_("guardian"), max_length=255)
    rules_page = models.ForeignKey(
        RulesPage, verbose_name=_("rules"), on_delete=models.PROTECT, related_name="acceptances"
    )
    version = models.ForeignKey(
        RulesVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="acceptances"
    )
    version_number = models.PositiveIntegerField(_("version number"))
    text_sha256 = models.CharField(_("SHA-256 of the accepted text"), max_length=64)
    checkbox_label = models.TextField(_("checkbox label"))
    accepted_at = models.DateTimeField(_("accepted at (UTC)"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)

    class Meta:
        verbose_name = _("rules acceptance")
        verbose_name_plural = _("rules acceptances")
        ordering = ["-accepted_at"]
        indexes = [models.Index(fields=["rules_page", "user"], name="home_rules_acc_page_user")]

    def __str__(self) -> str:
        return f"{self.guardian_name} – {self.rules_page_id} v{self.version_number}"


class RulesUpdateNotice(models.Model):
    """That a family account who had accepted an earlier version was told (by email) of a new version:
    one per account and version, so that nobody is told twice."""

    version = models.ForeignKey(
        RulesVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="update_notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("family account"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("new rules notice")
        verbose_name_plural = _("new rules notices")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="home_rules_notice_unique")]

    def __str__(self) -> str:
        return f"{self.version} → {self.user_id}"


# --- Tariff decrees -------------------------------------------------------------------------------


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
