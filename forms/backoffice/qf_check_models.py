"""The yearly QF check (campagne de vérification): a campaign of a council for a reference month, and one
line per household with what the CAF or MSA says now, how it is classified and what the agent decided.

The runner and the decisions are in ``qf_check``; the models keep the progress, so that a campaign
interrupted (a crash, a restart of the worker) continues where it stopped.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..family.household import QFProvider


class CampaignStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")


class QFCheckCampaign(models.Model):
    """A yearly QF check of one council's households, for a reference month."""

    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("reference month"), help_text=_("The month whose QF is asked (first day)."))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PENDING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("households"), default=0)
    checked = models.PositiveIntegerField(_("households checked"), default=0)

    class Meta:
        verbose_name = _("QF check campaign")
        verbose_name_plural = _("QF check campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.council} {self.month:%m/%Y}"

    @property
    def percent(self) -> int:
        return round(100 * self.checked / self.total) if self.total else 100


class QFCheckClass(models.TextChoices):
    """How a household's QF on file compares with what the CAF or MSA says now (or why it was not asked)."""

    UNCHANGED = "unchanged", _("Unchanged")
    CHANGED = "changed", _("Changed")
    NOT_FOUND = "not_found", _("Not found at the CAF")
    MSA = "msa", _("At the MSA")
    IDENTITY_MISMATCH = "identity_mismatch", _("Identity no longer matched")
    NO_CONSENT = "no_consent", _("No consent (or withdrawn)")
    NEVER_FETCHED = "never_fetched", _("Never fetched (manual route)")
    DECLARED = "declared", _("Declared by the family without proof")
    ERROR = "error", _("API unavailable: to check again")


class Decision(models.TextChoices):
    PENDING = "", _("To decide")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Ignored")


class QFCheckItem(models.Model):
    """One household of a campaign: the QF on file when checked, the QF the CAF or MSA gives, the class."""

    campaign = models.ForeignKey(QFCheckCampaign, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey("forms.Household", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("class"), max_length=20, choices=QFCheckClass.choices, blank=True, db_index=True)
    # Set before the call and kept: a campaign resumed after a crash never asks twice for a household.
    fetch_started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    old_qf = models.PositiveIntegerField(_("QF on file"), null=True, blank=True)
    old_provider = models.CharField(_("provider on file"), max_length=20, choices=QFProvider.choices, blank=True)
    old_month = models.DateField(_("month on file"), null=True, blank=True)
    new_qf = models.PositiveIntegerField(_("QF now"), null=True, blank=True)
    new_provider = models.CharField(_("provider now"), max_length=20, choices=QFProvider.choices, blank=True)
    new_month = models.DateField(_("month now"), null=True, blank=True)
    request_id = models.CharField(_("X-Request-Id"), max_length=100, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("household checked")
        verbose_name_plural = _("households checked")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="forms_qf_check_one_line_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id} {self.outcome}"

    @property
    def actionable(self) -> bool:
        """A new QF the agent may apply (or ignore)."""
        return self.outcome in (QFCheckClass.CHANGED, QFCheckClass.MSA) and self.new_qf is not None
