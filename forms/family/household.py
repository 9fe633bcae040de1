"""The household (foyer): a family's record per council, read and written by its forms.

A household belongs to one council and to one or two family accounts (two parents sharing it). It holds the
guardians, the children (health data apart, in ``HouseholdChildHealth``, under the health role), the address
with its commune's INSEE code, the QF with its provider, month, provenance and whether it was verified, and
the documents on file with their validity. Every change is a ``HouseholdEvent`` (append-only evidence, like
the dossiers' history). Writes go through ``household_services``; reads through ``household_selectors``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.models import AppendOnlyModel


class QFProvider(models.TextChoices):
    """Who produced the QF (the decree's column follows from it)."""

    DECLARED = "", _("declared by the family")
    CNAF = "cnaf", _("CAF")
    MSA = "msa", _("MSA")
    TAX_NOTICE = "tax_notice", _("tax notice")
    AGENT = "agent", _("agent")


class Household(models.Model):
    """A family's record for one council (foyer)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "home.CouncilHomePage", verbose_name=_("council"), on_delete=models.PROTECT, related_name="+"
    )
    address_street = models.CharField(_("street"), max_length=255, blank=True)
    address_complement = models.CharField(_("address complement"), max_length=255, blank=True)
    address_postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    address_city = models.CharField(_("town"), max_length=255, blank=True)
    address_insee = models.CharField(
        _("INSEE code of the commune"), max_length=5, blank=True, help_text=_("From the official list of communes.")
    )
    qf = models.PositiveIntegerField(_("family quotient"), null=True, blank=True)
    qf_provider = models.CharField(_("QF provider"), max_length=20, choices=QFProvider.choices, blank=True)
    qf_month = models.DateField(_("QF month"), null=True, blank=True)
    qf_provenance = models.JSONField(_("QF provenance"), default=dict, blank=True)
    qf_verified = models.BooleanField(_("QF verified"), default=False)
    verified_at = models.DateTimeField(
        _("verified at"), null=True, blank=True, help_text=_("When a validated dossier last made its data verified.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        names = ", ".join(f"{g.first_name} {g.last_name}".strip() for g in self.guardians.all())
        return names or str(_("Household %(number)s") % {"number": self.pk})

    @property
    def address(self) -> dict[str, str]:
        """The address in the shape of an address answer."""
        return {
            "street": self.address_street,
            "complement": self.address_complement,
            "postcode": self.address_postcode,
            "city": self.address_city,
            "insee": self.address_insee,
        }


class HouseholdAccount(models.Model):
    """A family account sharing a household (one or two per household, one household per council and account)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="accounts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_links")
    council = models.ForeignKey("home.CouncilHomePage", on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("household account")
        verbose_name_plural = _("household accounts")
        constraints = [
            models.UniqueConstraint(fields=["user", "council"], name="forms_one_household_per_account_and_council")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.household_id}"


class HouseholdGuardian(models.Model):
    """A guardian (responsable légal) of the household's children."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="guardians")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    parental_authority = models.BooleanField(_("parental authority"), default=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Sex(models.TextChoices):
    UNKNOWN = "", _("not given")
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class HouseholdChild(models.Model):
    """A child of the household. With alternating custody the same child is a child of each parent's household."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="children")
    guardians = models.ManyToManyField(HouseholdGuardian, verbose_name=_("guardians"), related_name="children")
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    first_name = models.CharField(_("first name"), max_length=150)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    school = models.CharField(_("school"), max_length=255, blank=True)
    school_class = models.CharField(_("class"), max_length=50, blank=True)
    aeeh = models.BooleanField(
        _("AEEH"), default=False, help_text=_("The family receives the AEEH for this child (PSU: one step down).")
    )
    diet = models.CharField(_("diet"), max_length=100, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["birth_date", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class HouseholdChildHealth(models.Model):
    """A child's health data (PAI, allergies): the protected part, read only with the council's health role."""

    child = models.OneToOneField(HouseholdChild, on_delete=models.CASCADE, related_name="health")
    has_pai = models.BooleanField(_("has a PAI"), default=False)
    summary = models.TextField(_("allergies or health needs"), blank=True)
    dossier = models.ForeignKey(
        "forms.Dossier", verbose_name=_("from dossier"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("child's health data")
        verbose_name_plural = _("children's health data")

    def __str__(self) -> str:
        return str(self.child)


class DocumentKind(models.TextChoices):
    PROOF_OF_ADDRESS = "proof_of_address", _("Proof of address")
    INCOME = "income", _("Proof of income")
    INSURANCE = "insurance", _("Insurance certificate")
    VACCINATIONS = "vaccinations", _("Vaccination pages")
    OTHER = "other", _("Other document")


class HouseholdDocument(models.Model):
    """A document on file (a dossier's file) and until when it is valid, so that a valid one is not asked again."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="documents")
    child = models.ForeignKey(HouseholdChild, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    label = models.CharField(_("label"), max_length=255)
    file = models.ForeignKey(
        "forms.DossierFile", verbose_name=_("file"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    health = models.BooleanField(_("health data"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document on file")
        verbose_name_plural = _("documents on file")
        ordering = ["kind", "-recorded_at"]

    def __str__(self) -> str:
        return self.label

    def is_valid(self, on=None) -> bool:
        return self.valid_until is None or self.valid_until >= (on or timezone.localdate())


class HouseholdEventKind(models.TextChoices):
    CREATED = "created", _("Household created")
    UPDATED = "updated", _("Data changed")
    VERIFIED = "verified", _("Data verified by an agent")
    REFUSED = "refused", _("Change refused by an agent")
    INVITED = "invited", _("Second guardian invited")
    JOINED = "joined", _("Account joined the household")
    QF_CHECKED = "qf_checked", _("QF updated by the yearly check")


class HouseholdEvent(AppendOnlyModel):
    """One line of a household's history: who, when, from which dossier or agent action, what changed
    (``changes``: ``{path: {"label", "before", "after"}}``). Append-only, in the database too."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=HouseholdEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(_("by (name)"), max_length=255, blank=True, editable=False)
    dossier = models.ForeignKey(
        "forms.Dossier", verbose_name=_("dossier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("household event")
        verbose_name_plural = _("household events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.actor is not None and not self.actor_name:
            self.actor_name = self.actor.get_full_name() or self.actor.get_username()
        super().save(*args, **kwargs)


class HouseholdInvitation(models.Model):
    """A second guardian invited by email to share the household; accepting joins their account."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("household invitation")
        verbose_name_plural = _("household invitations")

    def __str__(self) -> str:
        return self.email
