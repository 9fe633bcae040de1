"""Writes and calls of the connector that other apps may use (public surface of ``connectors``).

- ``consent_record(user=, council=, scopes=, text_version=) -> Consent``: the family's opt-in;
- ``consent_withdraw(consent=, user=)``: the family withdraws it (its kept identity goes with it);
- ``qf_fetch(council=, user=, identity=, scopes=, consent=) -> PrefillResult``: one QF call, never raises
  for API failures (``ok=False`` with ``kind`` and a French ``family_message``: show the manual route);
- ``qf_fetch_france_connect(...)``: the same with the family's FranceConnect access token;
- ``qf_refresh_family(council=, users=, annee=, mois=) -> FamilyRefresh``: the yearly check of one family
  (``forms.backoffice.qf_check`` runs it for every household of a council);
- ``call_logs_purge()``: operations (commands and tasks).

Every call, refused or made, is written to ``ApiCallLog`` (never identities).
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .api_particulier.client import ApiResponse
from .api_particulier.errors import FAMILY_MESSAGES, ApiError, ErrorKind
from .api_particulier.identity import Identity, IdentityError
from .api_particulier.scopes import (
    PING_QF,
    QF_SCOPES,
    ROUTE_INTROSPECT,
    ROUTE_QF_FRANCE_CONNECT,
    ROUTE_QF_IDENTITE,
    mask,
)
from .gateway import client_for
from .models import ApiCallLog, Consent, ConsentedIdentity, Habilitation, add_months
from .prefill import values_from_qf
from .selectors import consent_text_version, habilitation_for, prefill_offer

__all__ = [
    "ConsentRequired",
    "FamilyRefresh",
    "Identity",
    "PrefillResult",
    "call_logs_purge",
    "consent_record",
    "diagnostic_call",
    "qf_fetch",
    "qf_fetch_france_connect",
    "qf_refresh_family",
]

logger = logging.getLogger("connectors")
DEFAULT_LOG_RETENTION_MONTHS = 12


class ConsentRequired(PermissionError):
    """No valid consent covers this call: the caller must show the notice and record an opt-in first."""


@dataclass
class PrefillResult:
    """The outcome of a prefill call, ready for a form.

    ``ok``: data came back (the QF may still be unknown: then ``kind == "qf_unknown"`` and ``qf.valeur`` is
    absent); ``kind``: None or an ``ErrorKind`` value; ``family_message``: French, to show when ``kind`` is
    set (it explains why and points to the manual route); ``values`` and ``provenance``: see
    ``connectors.prefill``; ``request_id``: upstream's ``X-Request-Id`` (support asks for it).
    """

    ok: bool
    kind: str | None = None
    family_message: str = ""
    values: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    request_id: str | None = None
    http_status: int | None = None
    code: str | None = None

    @property
    def manual_route(self) -> bool:
        """True when the form must offer the upload of a CAF certificate or tax notice."""
        return not self.ok or "qf.valeur" not in self.values


def _failure(kind: ErrorKind, error: ApiError | None = None) -> PrefillResult:
    return PrefillResult(
        ok=False,
        kind=kind.value,
        family_message=_(FAMILY_MESSAGES[kind]),
        request_id=error.request_id if error else None,
        http_status=error.http_status if error else None,
        code=error.code if error else None,
    )


def _log_call(
    *,
    council,
    habilitation: Habilitation | None,
    route: str,
    scopes,
    user=None,
    purpose: str = "prefill",
    response: ApiResponse | None = None,
    error: ApiError | None = None,
    outcome: str | None = None,
) -> ApiCallLog:
    now = timezone.now()
    months = habilitation.retention_months if habilitation else DEFAULT_LOG_RETENTION_MONTHS
    if error is not None:
        outcome = outcome or error.kind.value
    return ApiCallLog.objects.create(
        created_at=now,
        council=council,
        habilitation=habilitation,
        route=route,
        scopes=sorted(scopes),
        purpose=purpose,
        outcome=outcome or "ok",
        code=(error.code or "") if error else "",
        http_status=response.http_status if response else (error.http_status if error else None),
        latency_ms=response.latency_ms if response else None,
        request_id=(response.request_id if response else (error.request_id if error else None)) or "",
        user=user if user is not None and user.is_authenticated else None,
        purge_after=add_months(now, months),
    )


def _check_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes))
    if not scopes or set(scopes) - set(QF_SCOPES):
        raise ValueError("scopes must be a non-empty subset of the quotient familial scopes")
    return scopes


def _check_consent(consent: Consent | None, *, user, council, scopes, habilitation: Habilitation) -> None:
    if consent is None or consent.withdrawn_at is not None:
        raise ConsentRequired("no consent was recorded for this call")
    if consent.user_id != getattr(user, "pk", None) or consent.council_id != council.pk:
        raise ConsentRequired("the consent belongs to another family or council")
    if consent.habilitation_id != habilitation.pk or not set(scopes) <= set(consent.scopes):
        raise ConsentRequired("the consent does not cover these scopes under the current authorisation")
    if consent.text_version != consent_text_version(habilitation, consent.scopes):
        raise ConsentRequired("the consent was given to another version of the notice")
    if add_months(consent.created_at, habilitation.retention_months) < timezone.now():
        raise ConsentRequired("the consent is older than the authorisation's retention period")


@transaction.atomic
def consent_record(*, user, council, scopes, text_version: str) -> Consent:
    """Record the family's opt-in to the notice of ``prefill_offer(council=, scopes=)``.

    Raises ``ConsentRequired`` when no authorisation grants the scopes any more or when ``text_version``
    is not the version of the current notice (the family must see the new text).
    """
    offer = prefill_offer(council=council, scopes=scopes)
    if offer is None:
        raise ConsentRequired("no active authorisation grants these scopes")
    if text_version != offer.text_version:
        raise ConsentRequired("the notice changed since it was shown")
    return Consent.objects.create(
        user=user,
        council=council,
        habilitation_id=offer.habilitation_id,
        scopes=list(offer.scopes),
        text_version=offer.text_version,
        text=offer.text,
    )


@transaction.atomic
def consent_withdraw(*, consent: Consent, user) -> Consent:
    """The family withdraws its consent: no call is made under it any more, the identity kept to refresh its
    QF under it is deleted (the yearly refresh skips the family), and the next fetch asks again.

    Raises ``PermissionError`` when the consent is not this family's."""
    if consent.user_id is None or consent.user_id != getattr(user, "pk", None):
        raise PermissionError("this consent belongs to another account")
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    ConsentedIdentity.objects.filter(consent=consent).delete()
    return consent


def _alert_staff(error: ApiError, habilitation: Habilitation) -> None:
    if error.kind == ErrorKind.UNAUTHORISED:
        # ERROR level reaches the council's operators (mail_admins / monitoring); the text holds no identity.
        logger.error("API Particulier refused habilitation %s: %s", habilitation.pk, error.technical_message)


def _success(response: ApiResponse, scopes) -> PrefillResult:
    # Return only the blocks the requested scopes cover, even when upstream sent more (staging).
    data = mask(response.data, scopes)
    values, provenance, qf_known = values_from_qf(
        data, request_id=response.request_id, fetched_at=timezone.now().isoformat(), route=response.route
    )
    kind = None
    message = ""
    if "cnaf_quotient_familial" in scopes and not qf_known:
        kind = ErrorKind.QF_UNKNOWN.value
        message = _(FAMILY_MESSAGES[ErrorKind.QF_UNKNOWN])
    return PrefillResult(
        ok=True,
        kind=kind,
        family_message=message,
        values=values,
        provenance=provenance,
        request_id=response.request_id,
        http_status=response.http_status,
    )


def qf_fetch(
    *,
    council,
    user,
    identity: Identity,
    scopes,
    consent: Consent | None,
    annee: int | None = None,
    mois: int | None = None,
    purpose: str = "prefill",
) -> PrefillResult:
    """Fetch the QF (and the other blocks ``scopes`` cover) of the benefit holder ``identity``.

    Requires a consent of ``user`` covering ``scopes`` (else raises ``ConsentRequired``, before any call).
    Never raises for API failures: returns ``ok=False`` with the kind and the family's message. On success
    the identity is kept encrypted (for the yearly QF check) with the QF obtained.
    """
    scopes = _check_scopes(scopes)
    habilitation = habilitation_for(council=council, scopes=scopes)
    if habilitation is None:
        _log_call(
            council=council, habilitation=None, route=ROUTE_QF_IDENTITE, scopes=scopes, user=user, purpose=purpose,
            outcome=ErrorKind.NOT_ALLOWED.value,
        )  # fmt: skip
        return _failure(ErrorKind.NOT_ALLOWED)
    _check_consent(consent, user=user, council=council, scopes=scopes, habilitation=habilitation)
    try:
        identity.validate()
    except IdentityError:
        return _failure(ErrorKind.INVALID_INPUT)
    try:
        with client_for(habilitation) as client:
            response = client.quotient_familial(identity, annee=annee, mois=mois)
    except ApiError as error:
        _log_call(
            council=council, habilitation=habilitation, route=ROUTE_QF_IDENTITE, scopes=scopes, user=user,
            purpose=purpose, error=error,
        )  # fmt: skip
        _alert_staff(error, habilitation)
        return _failure(error.kind, error)
    result = _success(response, scopes)
    _log_call(
        council=council, habilitation=habilitation, route=ROUTE_QF_IDENTITE, scopes=scopes, user=user,
        purpose=purpose, response=response, outcome=result.kind or "ok",
    )  # fmt: skip
    if user is not None:  # a family without an account (at the counter) has no yearly refresh to prepare
        _remember(
            user=user, council=council, habilitation=habilitation, consent=consent, identity=identity, result=result
        )
    return result


def qf_fetch_france_connect(
    *, council, user, france_connect_token: str, scopes, consent: Consent | None
) -> PrefillResult:
    """Like ``qf_fetch`` for a family signed in with FranceConnect (its access token replaces the identity)."""
    scopes = _check_scopes(scopes)
    habilitation = habilitation_for(council=council, scopes=scopes)
    if habilitation is None or "france_connect" not in (habilitation.modalities or []):
        _log_call(
            council=council, habilitation=None, route=ROUTE_QF_FRANCE_CONNECT, scopes=scopes, user=user,
            outcome=ErrorKind.NOT_ALLOWED.value,
        )  # fmt: skip
        return _failure(ErrorKind.NOT_ALLOWED)
    _check_consent(consent, user=user, council=council, scopes=scopes, habilitation=habilitation)
    try:
        with client_for(habilitation) as client:
            response = client.quotient_familial_france_connect(france_connect_token)
    except ApiError as error:
        _log_call(
            council=council, habilitation=habilitation, route=ROUTE_QF_FRANCE_CONNECT, scopes=scopes, user=user,
            error=error,
        )  # fmt: skip
        _alert_staff(error, habilitation)
        return _failure(error.kind, error)
    result = _success(response, scopes)
    _log_call(
        council=council, habilitation=habilitation, route=ROUTE_QF_FRANCE_CONNECT, scopes=scopes, user=user,
        response=response, outcome=result.kind or "ok",
    )  # fmt: skip
    return result


def _remember(*, user, council, habilitation, consent, identity: Identity, result: PrefillResult) -> None:
    record = ConsentedIdentity.objects.filter(user=user, council=council).first() or ConsentedIdentity(
        user=user, council=council
    )
    record.habilitation = habilitation
    record.consent = consent
    record.identity = identity
    record.scopes = list(consent.scopes)
    _store_qf(record, result)
    record.save()


def _store_qf(record: ConsentedIdentity, result: PrefillResult) -> None:
    record.last_fetched_at = timezone.now()
    record.last_outcome = result.kind or "ok"
    # Kept as long as the consent holds, not longer: a refresh does not extend it.
    record.purge_after = add_months(record.consent.created_at, record.habilitation.retention_months)
    if result.ok:
        record.last_qf_value = result.values.get("qf.valeur")
        record.last_qf_provider = result.values.get("qf.fournisseur", "")
        record.last_qf_year = result.values.get("qf.annee")
        record.last_qf_month = result.values.get("qf.mois")


@dataclass
class FamilyRefresh:
    """The yearly check of one family: ``state`` is ``fetched`` (``result`` holds the answer), ``no_consent``
    (the family consented once, but withdrew it or it lapsed: no call was made) or ``never`` (no consent
    ever: the family took the manual route)."""

    state: str
    result: PrefillResult | None = None


def qf_refresh_family(*, council, users, annee: int | None = None, mois: int | None = None) -> FamilyRefresh:
    """Fetch again the QF of the family whose accounts are ``users`` for ``council``, under the identity it
    consented to send, if a consent still holds (else no call). Never raises for API failures."""
    users = [user for user in users if user is not None]
    record = (
        ConsentedIdentity.objects.filter(
            council=council, user__in=users, purge_after__gte=timezone.now(), consent__withdrawn_at__isnull=True
        )
        .select_related("user", "consent", "habilitation")
        .order_by("-last_fetched_at", "-pk")
        .first()
    )
    if record is None:
        consented = Consent.objects.filter(council=council, user__in=users).exists()
        return FamilyRefresh(state="no_consent" if consented else "never")
    scopes = sorted(set(record.scopes) & {"cnaf_quotient_familial"}) or record.scopes
    try:
        result = qf_fetch(
            council=council,
            user=record.user,
            identity=record.identity,
            scopes=scopes,
            consent=record.consent,
            annee=annee,
            mois=mois,
            purpose="qf_check",
        )
    except ConsentRequired:
        return FamilyRefresh(state="no_consent")
    return FamilyRefresh(state="fetched", result=result)


def call_logs_purge(*, now: datetime | None = None) -> int:
    """Delete call log entries and consented identities past their retention; returns the entries deleted."""
    now = now or timezone.now()
    deleted, _details = ApiCallLog.objects.filter(purge_after__lt=now).delete()
    ConsentedIdentity.objects.filter(purge_after__lt=now).delete()
    return deleted


def diagnostic_call(
    *,
    habilitation: Habilitation,
    action: str,
    identity: Identity | None = None,
    scopes=None,
    annee: int | None = None,
    mois: int | None = None,
) -> tuple[ApiResponse | None, ApiError | None]:
    """A staff diagnostic call (``introspect``, ``ping`` or ``quotient-familial``), logged like any other.

    For ``quotient-familial`` the habilitation must be usable and grant ``scopes``; the answer's data is
    masked to ``scopes``.
    """
    routes = {"introspect": ROUTE_INTROSPECT, "ping": f"/api/{PING_QF}/ping", "quotient-familial": ROUTE_QF_IDENTITE}
    route = routes[action]
    scopes = sorted(scopes or [])
    if action == "quotient-familial" and not (habilitation.is_usable() and habilitation.grants(scopes) and scopes):
        error = ApiError(ErrorKind.NOT_ALLOWED, detail="habilitation inactive, expired or lacking scopes", route=route)
        _log_call(council=habilitation.council, habilitation=habilitation, route=route, scopes=scopes,
                  purpose="diagnostic", error=error)  # fmt: skip
        return None, error
    try:
        with client_for(habilitation) as client:
            if action == "introspect":
                response = client.introspect()
            elif action == "ping":
                response = client.ping()
            else:
                response = client.quotient_familial(identity, annee=annee, mois=mois)
    except ApiError as error:
        _log_call(council=habilitation.council, habilitation=habilitation, route=route, scopes=scopes,
                  purpose="diagnostic", error=error)  # fmt: skip
        return None, error
    if action == "quotient-familial":
        response = replace(response, body={**response.body, "data": mask(response.data, scopes)})
    _log_call(council=habilitation.council, habilitation=habilitation, route=route, scopes=scopes,
              purpose="diagnostic", response=response)  # fmt: skip
    return response, None
