"""API Particulier: DataPass authorisations, families' consents, consented identities and the call log."""

import calendar
import json
import os
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import crypto
from home.validators import validate_siret

from .api_particulier.identity import Identity
from .api_particulier.scopes import SCOPE_ADRESSE, SCOPE_ALLOCATAIRES, SCOPE_ENFANTS, SCOPE_QF


class Scope(models.TextChoices):
    """DataPass scope names (as upstream spells them) that the connector knows how to use."""

    QUOTIENT_FAMILIAL = SCOPE_QF, _("Family quotient (QF) and its provider (CAF or MSA)")
    ALLOCATAIRES = SCOPE_ALLOCATAIRES, _("Benefit holders (allocataires): names, birth dates")
    ENFANTS = SCOPE_ENFANTS, _("Children: names, birth dates")
    ADRESSE = SCOPE_ADRESSE, _("Postal address known to the CAF or MSA")


class Modality(models.TextChoices):
    IDENTITY = "params", _("Identity form (civility parameters)")
    FRANCE_CONNECT = "france_connect", _("FranceConnect")


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", _("Public-interest task (GDPR art. 6-1-e)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR art. 6-1-c)")


class HabilitationState(models.TextChoices):
    ACTIVE = "active", _("Active")
    OBSOLETE = "obsolete", _("Obsolete")
    REVOKED = "revoked", _("Revoked")


def add_months(moment, months: int):
    """``moment`` plus ``months`` calendar months (day clamped to the month's length)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# Only variables meant for API Particulier tokens may be named by an editor: a free name would let anyone
# who edits an authorisation send any secret of the server (DJANGO_SECRET_KEY...) to the API as a token.
TOKEN_ENV_VAR_PREFIX = "API_PARTICULIER_TOKEN_"  # noqa: S105 (a name prefix, not a secret)
TOKEN_ENV_VAR_RE = re.compile(rf"^{TOKEN_ENV_VAR_PREFIX}[A-Z0-9_]{{1,60}}$")


def token_env_var_allowed(name: str) -> bool:
    """Whether ``name`` may hold an API Particulier token (it starts with ``API_PARTICULIER_TOKEN_``)."""
    return bool(TOKEN_ENV_VAR_RE.match(name or ""))


class Habilitation(models.Model):
    """A DataPass authorisation (habilitation) of a council to call API Particulier.

    The API token is a secret: either stored encrypted (``token_encrypted``, written through the admin's
    write-only field) or read from the environment variable named in ``token_env_var``. It is never shown
    again after entry and never logged.
    """

    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.PROTECT, related_name="habilitations"
    )
    datapass_id = models.CharField(_("DataPass number"), max_length=50)
    title = models.CharField(_("title"), max_length=255)
    purpose = models.TextField(
        _("purpose"), help_text=_("Shown to families before the call, e.g. “Compute the canteen and leisure rates”.")
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=30, choices=LegalBasis.choices, default=LegalBasis.PUBLIC_TASK
    )
    legal_basis_reference = models.CharField(
        _("legal basis reference"),
        max_length=255,
        blank=True,
        help_text=_("E.g. “Deliberation 2024-12 of 12 March 2024 setting the rates”."),
    )
    legal_basis_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("deliberation page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_basis_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("deliberation document (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_siret = models.CharField(
        _("recipient SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("SIRET of the public body that uses the data; leave empty to use the council's."),
    )
    scopes = models.JSONField(_("granted scopes"), default=list)
    modalities = models.JSONField(_("modalities"), default=list)
    retention_months = models.PositiveSmallIntegerField(
        _("retention (months)"),
        default=12,
        help_text=_("How long personal data obtained under this authorisation and its call log are kept."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=HabilitationState.choices, default=HabilitationState.ACTIVE
    )
    business_contact_name = models.CharField(_("business contact"), max_length=255, blank=True)
    business_contact_email = models.EmailField(_("business contact email"), blank=True)
    technical_contact_name = models.CharField(_("technical contact"), max_length=255, blank=True)
    technical_contact_email = models.EmailField(_("technical contact email"), blank=True)
    dpo_name = models.CharField(_("data protection officer"), max_length=255, blank=True)
    dpo_email = models.EmailField(_("data protection officer email"), blank=True)
    token_encrypted = models.TextField(_("token (encrypted)"), blank=True, editable=False)
    token_env_var = models.CharField(
        _("token environment variable"),
        max_length=100,
        blank=True,
        help_text=_("Name of the environment variable holding the token, instead of storing it here."),
    )
    token_updated_at = models.DateTimeField(_("token updated at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("API Particulier authorisation")
        verbose_name_plural = _("API Particulier authorisations")
        ordering = ["council_id", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.title} ({self.datapass_id})"

    def __repr__(self) -> str:
        return f"<Habilitation {self.pk} council={self.council_id} state={self.state}>"

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))}})
        if set(self.modalities or []) - set(Modality.values):
            raise ValidationError({"modalities": _("Unknown modality.")})
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity comes before its start.")})
        if self.token_env_var and not token_env_var_allowed(self.token_env_var):
            raise ValidationError(
                {
                    "token_env_var": _(
                        "The name must start with API_PARTICULIER_TOKEN_ and contain only capital letters, "
                        "digits and underscores (for example API_PARTICULIER_TOKEN_VALMONT)."
                    )
                }
            )

    @property
    def recipient(self) -> str:
        return self.recipient_siret or self.council.siret

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted or self.token_env_var)

    def set_token(self, token: str) -> None:
        """Store ``token`` encrypted (call ``save()`` afterwards)."""
        self.token_encrypted = crypto.encrypt(token.strip())
        self.token_updated_at = timezone.now()

    def get_token(self) -> str:
        """The clear token, from the environment variable if one is named, else decrypted ("" if none)."""
        if self.token_env_var:
            # Checked again here: a row saved before the rule (or by a script) never reads another secret.
            return os.environ.get(self.token_env_var, "") if token_env_var_allowed(self.token_env_var) else ""
        return crypto.decrypt(self.token_encrypted) if self.token_encrypted else ""

    def is_usable(self, *, today: date | None = None) -> bool:
        """Active and within its validity dates."""
        today = today or timezone.localdate()
        if self.state != HabilitationState.ACTIVE or self.valid_from > today:
            return False
        return self.valid_until is None or self.valid_until >= today

    def grants(self, scopes) -> bool:
        return set(scopes) <= set(self.scopes or [])


class Consent(models.Model):
    """A family's opt-in consent to one call's data exchange: who, for which council, scopes and text."""

    # None: a family without an account, which gave its consent in person to an agent at the counter.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("family account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    council = models.ForeignKey("home.CouncilHomePage", verbose_name=_("council"), on_delete=models.CASCADE)
    habilitation = models.ForeignKey(Habilitation, verbose_name=_("authorisation"), on_delete=models.PROTECT)
    scopes = models.JSONField(_("scopes"), default=list)
    text_version = models.CharField(_("text version"), max_length=64)
    text = models.TextField(_("text shown"))
    created_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.created_at:%Y-%m-%d})"


class ConsentedIdentity(models.Model):
    """The last identity a family consented to send, kept encrypted for the yearly QF check."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    council = models.ForeignKey("home.CouncilHomePage", on_delete=models.CASCADE, related_name="+")
    habilitation = models.ForeignKey(Habilitation, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="+")
    identity_encrypted = models.TextField()
    scopes = models.JSONField(default=list)
    last_qf_value = models.PositiveIntegerField(null=True, blank=True)
    last_qf_provider = models.CharField(max_length=10, blank=True)
    last_qf_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_qf_month = models.PositiveSmallIntegerField(null=True, blank=True)
    last_outcome = models.CharField(max_length=30, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("consented identity")
        verbose_name_plural = _("consented identities")
        constraints = [models.UniqueConstraint(fields=["user", "council"], name="connectors_one_identity_per_family")]

    def __str__(self) -> str:
        return f"ConsentedIdentity {self.pk}"

    def __repr__(self) -> str:
        return f"<ConsentedIdentity {self.pk} council={self.council_id}>"

    @property
    def identity(self) -> Identity:
        return Identity.from_dict(json.loads(crypto.decrypt(self.identity_encrypted)))

    @identity.setter
    def identity(self, identity: Identity) -> None:
        self.identity_encrypted = crypto.encrypt(json.dumps(identity.to_dict()))


class ApiCallLog(models.Model):
    """One call (or refused call) to API Particulier. Never identities, never health data."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    council = models.ForeignKey("home.CouncilHomePage", verbose_name=_("council"), on_delete=models.CASCADE)
    habilitation = models.ForeignKey(
        Habilitation, verbose_name=_("authorisation"), null=True, blank=True, on_delete=models.SET_NULL
    )
    route = models.CharField(_("route"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    purpose = models.CharField(_("purpose"), max_length=20, default="prefill")
    outcome = models.CharField(_("outcome"), max_length=30, help_text=_("“ok” or the error kind."))
    code = models.CharField(_("error code"), max_length=30, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    request_id = models.CharField(_("X-Request-Id"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purge_after = models.DateTimeField(_("purge after"), db_index=True)

    class Meta:
        verbose_name = _("API Particulier call")
        verbose_name_plural = _("API Particulier call log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.route} {self.outcome}"
