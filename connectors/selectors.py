"""Reads of the connector that other apps may use (public surface of ``connectors``).

``prefill_offer(council=..., scopes=...)`` tells a form whether API Particulier prefill is possible and
gives the consent text to show (opt-in, before any call).
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from home.selectors import councils_for_user

from .models import ApiCallLog, Consent, Habilitation, HabilitationState, LegalBasis, Scope, add_months

# Bump when the wording of the consent text changes (the version also covers the authorisation's content).
CONSENT_TEXT_REVISION = "1"


@dataclass(frozen=True)
class PrefillOffer:
    """What the family must be told before the call, and the version to record with its consent."""

    habilitation_id: int
    council_name: str
    scopes: tuple[str, ...]
    data_labels: tuple[str, ...]  # which data, in French
    administrations: str  # from which administration (the CAF or the MSA)
    purpose: str
    legal_basis: str
    legal_basis_reference: str
    legal_basis_url: str
    retention_months: int
    rights: str
    checkbox_label: str
    text: str  # the whole notice, in one block (what the consent records)
    text_version: str
    modalities: tuple[str, ...] = field(default=())


def habilitation_for(*, council, scopes, today=None) -> Habilitation | None:
    """The council's active, unexpired habilitation granting every scope of ``scopes`` (newest first)."""
    wanted = set(scopes)
    if not wanted:
        return None
    today = today or timezone.localdate()
    candidates = Habilitation.objects.filter(
        council=council, state=HabilitationState.ACTIVE, valid_from__lte=today
    ).select_related("council", "legal_basis_page", "legal_basis_document")
    for habilitation in candidates.order_by("-valid_from", "-pk"):
        if habilitation.is_usable(today=today) and habilitation.grants(wanted) and habilitation.has_token:
            return habilitation
    return None


def consent_text_version(habilitation: Habilitation, scopes) -> str:
    content = json.dumps(
        [
            CONSENT_TEXT_REVISION,
            habilitation.pk,
            sorted(scopes),
            habilitation.purpose,
            habilitation.legal_basis,
            habilitation.legal_basis_reference,
            habilitation.retention_months,
            habilitation.council.official_name,
        ]
    )
    return f"{CONSENT_TEXT_REVISION}-{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def prefill_offer(*, council, scopes) -> PrefillOffer | None:
    """The consent notice for fetching ``scopes`` for ``council``, or None when no active authorisation
    grants them (the form then only offers the manual route).
    """
    scopes = tuple(scope for scope in Scope.values if scope in set(scopes))
    habilitation = habilitation_for(council=council, scopes=scopes)
    if habilitation is None:
        return None
    labels = tuple(str(Scope(scope).label) for scope in scopes)
    administrations = _("the CAF (family allowance fund) or the MSA (agricultural social security)")
    legal_basis = str(LegalBasis(habilitation.legal_basis).label)
    url = ""
    if habilitation.legal_basis_page and habilitation.legal_basis_page.live:
        url = habilitation.legal_basis_page.url or ""
    elif habilitation.legal_basis_document:
        url = habilitation.legal_basis_document.url
    dpo = habilitation.dpo_email or council.dpo_email
    rights = _(
        "You may refuse: you will then upload a CAF certificate or your latest tax notice instead. You have the "
        "right to access and correct these data and to object to their processing; write to the data "
        "protection officer at %(dpo)s (articles L114-8 and following of the code of relations between the "
        "public and the administration, and the GDPR)."
    ) % {"dpo": dpo}
    text = _(
        "With your agreement, %(council)s will ask %(administrations)s, through the State's API Particulier, "
        "for the following data: %(data)s. Purpose: %(purpose)s. Legal basis: %(basis)s%(reference)s. These "
        "data and the identity you type are kept for %(months)s months. %(rights)s"
    ) % {
        "council": council.official_name,
        "administrations": administrations,
        "data": "; ".join(labels),
        "purpose": habilitation.purpose.strip().rstrip("."),
        "basis": legal_basis,
        "reference": f" ({habilitation.legal_basis_reference})" if habilitation.legal_basis_reference else "",
        "months": habilitation.retention_months,
        "rights": rights,
    }
    return PrefillOffer(
        habilitation_id=habilitation.pk,
        council_name=council.official_name,
        scopes=scopes,
        data_labels=labels,
        administrations=administrations,
        purpose=habilitation.purpose,
        legal_basis=legal_basis,
        legal_basis_reference=habilitation.legal_basis_reference,
        legal_basis_url=url,
        retention_months=habilitation.retention_months,
        rights=rights,
        checkbox_label=_("I agree that %(council)s fetches these data from the CAF or the MSA for this request.")
        % {"council": council.official_name},
        text=text,
        text_version=consent_text_version(habilitation, scopes),
        modalities=tuple(habilitation.modalities or ()),
    )


def call_logs_for_user(user) -> QuerySet[ApiCallLog]:
    """The call log entries of the councils a staff user works for."""
    return ApiCallLog.objects.filter(council__in=councils_for_user(user))


def habilitations_for_user(user) -> QuerySet[Habilitation]:
    """The habilitations of the councils a staff user works for."""
    return Habilitation.objects.filter(council__in=councils_for_user(user))


def consents_for_family(*, user) -> QuerySet[Consent]:
    """The consents a family account gave to API Particulier exchanges, newest first (withdrawn ones too)."""
    if not user.is_authenticated:
        return Consent.objects.none()
    return Consent.objects.filter(user=user).select_related("council", "habilitation").order_by("-created_at", "-pk")


def consents_for_staff(*, user, family) -> QuerySet[Consent]:
    """The consents ``family`` gave to the councils a staff member works for (``connectors.view_consent``)."""
    if not user.has_perm("connectors.view_consent"):
        return Consent.objects.none()
    return consents_for_family(user=family).filter(council__in=councils_for_user(user))


def habilitations_in_force(*, council, today=None) -> list[Habilitation]:
    """The council's authorisations usable today: the flows of personal data its privacy page lists."""
    today = today or timezone.localdate()
    candidates = Habilitation.objects.filter(council=council, state=HabilitationState.ACTIVE).order_by(
        "valid_from", "pk"
    )
    return [habilitation for habilitation in candidates if habilitation.is_usable(today=today)]


def consents_described(consents) -> list[dict]:
    """Each consent with what the family reads: data, purpose, state (in force, withdrawn, expired)."""
    now = timezone.now()
    described = []
    for consent in consents:
        expires_at = add_months(consent.created_at, consent.habilitation.retention_months)
        if consent.withdrawn_at:
            state = "withdrawn"
        elif expires_at < now:
            state = "expired"
        else:
            state = "active"
        labels = [str(Scope(scope).label) if scope in Scope.values else scope for scope in consent.scopes]
        described.append({"consent": consent, "data": labels, "expires_at": expires_at, "state": state})
    return described
