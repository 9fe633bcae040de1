"""Internal rules (règlements intérieurs), their frozen versions and the families' acceptances:
append-only evidence."""

import hashlib
import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..forms import RulesAcceptanceForm
from .deliberations import DeliberationLink


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
