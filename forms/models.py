"""Form pages built by editors, families' drafts, and the dossiers they submit.

``FormPage`` holds the definition (a StreamField of steps) and the form's settings; its routes (start,
steps, check your answers, confirmation) live in ``views.py``. A ``Draft`` is the server-side copy of
answers being typed (resumable from any device); ``dossier_submit`` turns it into a ``Dossier`` that
keeps the revision answered and a snapshot of the definition, so that it reads the same forever.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from home.models import AppendOnlyModel

from .engine import roles
from .engine.blocks import FormStepsBlock
from .engine.definition import Definition, definition_from_raw, validate_definition
from .engine.files import DEFAULT_FILE_TYPES, DEFAULT_MAX_SIZE_MB, parse_file_types, validate_file_types

DRAFT_LIFETIME = datetime.timedelta(days=60)


class FormIndexPage(Page):
    """A council's list of online procedures ("Démarches")."""

    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["home.CouncilHomePage"]
    subpage_types = ["forms.FormPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("form index page")
        verbose_name_plural = _("form index pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["forms"] = FormPage.objects.child_of(self).live().public().order_by("path")
        return context


class Access(models.TextChoices):
    FAMILY = "family", _("Logged-in family account")
    ANONYMOUS = "anonymous", _("Anyone, without an account")


class Multiplicity(models.TextChoices):
    ONE_PER_PERIOD = "one_per_period", _("One dossier per family for the opening period")
    SEVERAL = "several", _("Several dossiers per family")


class FormPage(RoutablePageMixin, Page):
    """A multi-step registration form that families fill online (e.g. the yearly "dossier famille")."""

    intro = RichTextField(_("introduction"), blank=True, help_text=_("Shown before the first step."))
    steps = StreamField(FormStepsBlock(), verbose_name=_("steps"))
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    access = models.CharField(_("who may fill it"), max_length=20, choices=Access.choices, default=Access.FAMILY)
    multiplicity = models.CharField(
        _("dossiers per family"), max_length=20, choices=Multiplicity.choices, default=Multiplicity.ONE_PER_PERIOD
    )
    allowed_file_types = models.CharField(
        _("allowed file types"),
        max_length=200,
        default=", ".join(DEFAULT_FILE_TYPES),
        validators=[validate_file_types],
        help_text=_("Extensions separated by commas, e.g. pdf, jpg, jpeg, png."),
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("maximum file size (MB)"),
        default=DEFAULT_MAX_SIZE_MB,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=6,
        default="DS",
        validators=[RegexValidator(r"^[A-Z]{1,6}$", _("From 1 to 6 capital letters, e.g. DF."))],
        help_text=_("Dossier references look like DF-2026-000123."),
    )
    is_health_data = models.BooleanField(
        _("health data"),
        default=False,
        help_text=_("The whole form holds health data (e.g. PAI): restricted access, never logged."),
    )
    confirmation_message = RichTextField(
        _("confirmation message"), blank=True, help_text=_("Shown after sending, with the dossier reference.")
    )
    email_subject = models.CharField(_("email subject"), max_length=255, blank=True)
    email_body = models.TextField(
        _("email text"),
        blank=True,
        help_text=_("Sent to the family after sending. {reference} and {form} are replaced. Never put answers here."),
    )

    # Back-office: what validation requires and what is priced (see ``workflow``).
    requires_rules_accepted = models.BooleanField(
        _("rules accepted"),
        default=False,
        help_text=_("The family must have accepted the version in force of the rules asked in the form."),
    )
    requires_qf = models.BooleanField(
        _("QF known or maximum tariff acknowledged"),
        default=False,
        help_text=_("Validation needs a known QF, or the agent's acknowledgement that the maximum tariff applies."),
    )
    priced_services = models.CharField(
        _("services priced at validation"),
        max_length=255,
        blank=True,
        help_text=_("Service keys of the council's tariff decree, separated by commas, e.g. cantine, alsh-journee."),
    )
    renewable = models.BooleanField(
        _("yearly renewal"),
        default=False,
        help_text=_("Families may start from last year's validated dossier (expiring documents are asked again)."),
    )

    parent_page_types = ["forms.FormIndexPage"]
    subpage_types: list[str] = []

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("steps")]
    form_settings_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("access"),
                FieldPanel("multiplicity"),
            ],
            heading=_("Who and when"),
        ),
        MultiFieldPanel(
            [FieldPanel("allowed_file_types"), FieldPanel("max_file_size_mb")],
            heading=_("Files"),
        ),
        MultiFieldPanel(
            [FieldPanel("reference_prefix"), FieldPanel("is_health_data")],
            heading=_("Dossiers"),
        ),
        MultiFieldPanel(
            [FieldPanel("confirmation_message"), FieldPanel("email_subject"), FieldPanel("email_body")],
            heading=_("After sending"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("requires_rules_accepted"),
                FieldPanel("requires_qf"),
                FieldPanel("priced_services"),
                FieldPanel("renewable"),
            ],
            heading=_("Validation by the service"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(form_settings_panels, heading=_("Form settings")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("form page")
        verbose_name_plural = _("form pages")

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("The form must close after it opens.")})
        errors = validate_definition(self.build_definition())
        if errors:
            raise ValidationError({"steps": errors})

    # Definition and settings -----------------------------------------------------------------

    def build_definition(self) -> Definition:
        """The definition of this page object's own content (uncached: see ``rendering.definition_for``)."""
        return definition_from_raw(list(self.steps.raw_data))

    @property
    def file_types(self) -> list[str]:
        return parse_file_types(self.allowed_file_types)

    @property
    def max_file_size(self) -> int:
        return self.max_file_size_mb * 1024 * 1024

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return (self.opens_at is None or self.opens_at <= at) and (self.closes_at is None or at < self.closes_at)

    # Routes (the views are in family/views.py) -------------------------------------------------
    # The views import this module, and Django loads models before any view can be imported: the routes
    # import them when they are called (a lazy import that Django's loading order requires).

    @path("")
    def start(self, request):
        from .family import views

        return views.form_start(request, self)

    @path("etape/<int:number>/")
    def step(self, request, number):
        from .family import views

        return views.form_step(request, self, number)

    @path("verifier/")
    def review(self, request):
        from .family import views

        return views.form_review(request, self)

    @path("envoye/<str:reference>/")
    def confirmation(self, request, reference):
        from .family import views

        return views.form_confirmation(request, self, reference)

    def serve_preview(self, request, mode_name):
        from .family import views

        return views.form_preview(request, self)


class Draft(models.Model):
    """Answers being typed, saved on the server at every step (brouillon). Expires after 60 days."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form_page = models.ForeignKey(FormPage, verbose_name=_("form"), on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("family account"), null=True, blank=True, on_delete=models.CASCADE
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    provenance = models.JSONField(_("provenance of prefilled values"), default=dict, blank=True)
    prefill = models.JSONField(_("prefill state"), default=dict, blank=True)
    renewal_of = models.ForeignKey(
        "forms.Dossier",
        verbose_name=_("renewal of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    renewal_changed = models.JSONField(
        _("renewal: parts the family changes"),
        default=list,
        blank=True,
        help_text=_("The household's parts the family said had changed since last year: only their steps are asked."),
    )
    furthest_step = models.PositiveSmallIntegerField(_("furthest step reached"), default=1)
    # A counter draft (Guichet) is the agent's own: never the family's online draft, which stays untouched.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed at the counter by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    family_email = models.EmailField(
        _("family's email"), blank=True, help_text=_("At the counter, for a family without an account (optional).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["form_page", "user"],
                condition=models.Q(user__isnull=False, agent__isnull=True),
                name="forms_one_draft_per_family",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_page.title} ({self.updated_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        # Every save pushes the expiry back: a draft lives 60 days after its last change.
        self.expires_at = timezone.now() + DRAFT_LIFETIME
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "expires_at", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class StoredFileMixin(models.Model):
    """A file in the private storage, with what was checked about it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("field key"), max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    path = models.CharField(_("path in private storage"), max_length=500)
    # Uploads are stored encrypted (Fernet, see common/crypto.py); files stored before were not.
    encrypted = models.BooleanField(_("encrypted at rest"), default=False, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class DraftFile(StoredFileMixin):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("draft file")
        verbose_name_plural = _("draft files")


class DossierStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    VALIDATED = "validated", _("Validated")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed without follow-up")


QF_SOURCE_LABELS = {
    "cnaf": _("CAF"),
    "msa": _("MSA"),
    "tax_notice": _("tax notice"),
    "agent": _("agent"),
}


class Dossier(models.Model):
    """A submitted form: answers, files and provenance as sent, and where it stands."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=30, db_index=True)
    form_page = models.ForeignKey(FormPage, verbose_name=_("form"), on_delete=models.PROTECT, related_name="dossiers")
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("form revision answered"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    definition = models.JSONField(_("definition answered"), help_text=_("Snapshot of the steps as shown."))
    answers = models.JSONField(_("answers"), default=dict)
    provenance = models.JSONField(_("provenance of prefilled values"), default=dict, blank=True)
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("family account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=30, choices=DossierStatus.choices, default=DossierStatus.SUBMITTED, db_index=True
    )
    is_health_data = models.BooleanField(_("health data"), default=False)
    submitted_by_agent = models.BooleanField(_("filed by an agent"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    renewal_of = models.ForeignKey(
        "self", verbose_name=_("renewal of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The household's QF as known now (declared or fetched at submit, checked at validation): source, month.
    qf = models.PositiveIntegerField(_("family quotient"), null=True, blank=True)
    qf_source = models.CharField(_("QF source"), max_length=20, blank=True)
    qf_month = models.DateField(_("QF month"), null=True, blank=True)
    # Whether the form answered asks for the QF (a field of its definition has the QF's role): kept on save
    # from the dossier's own definition, so that the desk's "QF missing" filter is a plain column test.
    qf_asked = models.BooleanField(_("QF asked by the form"), default=False, editable=False)
    prices = models.JSONField(
        _("prices"), default=dict, blank=True, help_text=_("Computed at validation from the tariff decree in force.")
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="forms_unique_reference_per_council")
        ]
        indexes = [
            # The desk: its count (council, health) read from the index alone, its first page in the index's
            # order (newest first, then id) for each council, among 100 000 dossiers.
            models.Index(fields=["council", "is_health_data", "-submitted_at", "-id"], name="forms_dossier_desk_idx"),
        ]
        permissions = [
            ("view_health_data", _("Can see health data (PAI) of dossiers")),
            ("export_dossiers", _("Can export dossiers")),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or "definition" in fields:
            self.qf_asked = self.get_definition().field_with_role(roles.FAMILY_QF) is not None
            if fields is not None:
                kwargs["update_fields"] = {*fields, "qf_asked"}
        super().save(*args, **kwargs)

    def get_definition(self) -> Definition:
        return Definition(steps=self.definition)

    @property
    def qf_status(self) -> str:
        """ "QF 150 declared" (typed by the family, not checked) or "QF 620 verified (CAF)"."""
        if self.qf is None:
            return ""
        if not self.qf_source:
            return _("QF %(qf)s declared") % {"qf": self.qf}
        source = QF_SOURCE_LABELS.get(self.qf_source, self.qf_source)
        return _("QF %(qf)s verified (%(source)s)") % {"qf": self.qf, "source": source}


class DossierFile(StoredFileMixin):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    health = models.BooleanField(_("health data"), default=False)
    replaced_at = models.DateTimeField(
        _("replaced at"), null=True, blank=True, help_text=_("Replaced by the family after a correction request.")
    )

    class Meta:
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    TRANSITION = "transition", _("Status changed")
    RESUBMITTED = "resubmitted", _("Corrected and sent again")
    ASSIGNED = "assigned", _("Assigned")
    FILED_BY_AGENT = "filed_by_agent", _("Filed by an agent at the counter")
    OVERRIDE = "override", _("Validated despite missing conditions")
    PRICING = "pricing", _("QF, price column or residence set by an agent")
    CLAIMED = "claimed", _("Paper dossier joined to the family's new account")


def actor_display_name(user) -> str:
    return user.get_full_name() or user.get_username()


class DossierEvent(AppendOnlyModel):
    """One line of a dossier's history (submission, status changes...). Append-only, in the database too
    (triggers, see ``home.evidence``): a dossier with a history cannot be deleted, and when an account
    is deleted its events keep the actor's name."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices, default=EventKind.TRANSITION)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(_("by (name)"), max_length=255, blank=True, editable=False)
    from_status = models.CharField(_("from"), max_length=30, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=DossierStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    is_public = models.BooleanField(_("shown to the family"), default=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.from_status} -> {self.to_status}"

    def save(self, *args, **kwargs):
        # Who did it stays readable after the account is deleted (the link then becomes empty).
        if self.actor is not None and not self.actor_name:
            self.actor_name = actor_display_name(self.actor)
        super().save(*args, **kwargs)


class ReferenceSequence(models.Model):
    """The last number given to a council's dossiers of one prefix and year (see ``services``)."""

    council = models.ForeignKey("home.CouncilHomePage", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "prefix", "year"], name="forms_one_sequence_per_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class CorrectionReason(models.TextChoices):
    MISSING = "missing", _("Missing")
    INCORRECT = "incorrect", _("Incorrect")
    OUT_OF_DATE = "out_of_date", _("Out of date")


class CorrectionRequest(models.Model):
    """An agent's request that the family fix some answers or documents (demande de correction)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="corrections")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    message = models.TextField(_("message to the family"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.requested_at:%d/%m/%Y})"


class CorrectionItem(models.Model):
    """One answer or document to fix, by its path (``key`` or ``group.N.key``), with the value before and after."""

    request = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="items")
    path = models.CharField(_("field"), max_length=200)
    label = models.CharField(_("label"), max_length=255)
    reason = models.CharField(_("reason"), max_length=20, choices=CorrectionReason.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("item to correct")
        verbose_name_plural = _("items to correct")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.path


class DossierNote(models.Model):
    """An agent's private note on a dossier: never shown to the family."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("note"))

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.at:%d/%m/%Y})"


class StaffRole(models.TextChoices):
    AGENT = "agent", _("Agents (dossiers)")
    HEALTH = "health", _("Agents with health access (PAI)")
    BILLING = "billing", _("Billing (tariffs, exports)")


class CouncilRole(models.Model):
    """Which council a group of staff works for, and in which role (a group of agents has no page rights)."""

    group = models.OneToOneField("auth.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+")
    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("council role")
        verbose_name_plural = _("council roles")

    def __str__(self) -> str:
        return f"{self.group} – {self.get_role_display()}"


class NotificationEvent(models.TextChoices):
    SUBMITTED = "submitted", _("Dossier received")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    VALIDATED = "validated", _("Dossier validated")
    REFUSED = "refused", _("Dossier refused")


class NotificationTemplate(models.Model):
    """A council's email text for one event; ``{reference}``, ``{form}``, ``{council}`` and ``{link}`` are replaced."""

    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(_("event"), max_length=30, choices=NotificationEvent.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(
        _("text"),
        help_text=_(
            "{reference}, {form}, {council} and {link} are replaced. Never put personal data here: the family "
            "reads the details in its space."
        ),
    )

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [models.UniqueConstraint(fields=["council", "event"], name="forms_one_template_per_event")]

    def __str__(self) -> str:
        return f"{self.council} – {self.get_event_display()}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")


class NotificationLog(models.Model):
    """One email to a family: when, for which dossier and event, and whether it left (never its content)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=30, choices=NotificationEvent.choices)
    recipient = models.EmailField(_("recipient"))
    status = models.CharField(
        _("status"), max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.event} {self.status}"


class SavedFilter(models.Model):
    """An agent's named set of list filters (the query string of the dossiers list)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="forms_unique_filter_name_per_user")]

    def __str__(self) -> str:
        return self.name


# The household (foyer) lives in forms/family/household.py and the yearly QF check in
# forms/backoffice/qf_check_models.py; imported here so that Django registers their models.
from .backoffice.qf_check_models import QFCheckCampaign, QFCheckItem  # noqa: E402, F401
from .family.household import (  # noqa: E402, F401
    Household,
    HouseholdAccount,
    HouseholdChild,
    HouseholdChildHealth,
    HouseholdDocument,
    HouseholdEvent,
    HouseholdGuardian,
    HouseholdInvitation,
)
