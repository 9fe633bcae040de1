"""The yearly QF check (campagne de vérification): an agent starts it for a council and a reference month; a
task fetches again, where consent allows, the QF of every household of the council through the data source's
``refresh`` (``connectors.providers``), classifies each one (``QFCheckClass``) and keeps the progress in the
database; the agent reads the report and applies or ignores each new QF.

- ``qf_check_start(council=, month=, by=)``: the campaign and its lines, then the task;
- ``qf_check_run(campaign=, max_households=)``: checks the households not checked yet (resumable: a line is
  claimed before its call, and a line claimed by a run that died is never asked again), at most
  ``settings.QF_CHECK_RATE`` households per second (``clock`` and ``sleep`` below are injectable);
- ``qf_check_apply(item=, by=)``: the new QF becomes the household's (provenance, history) and its validated
  enrolments are priced again from the month the CAF or MSA gives; ``qf_check_ignore(item=, by=)``;
- ``qf_check_report(campaign=)``, ``qf_check_rows(campaign=)``: counts per class, the share of QFs on file
  that were wrong and why, the spreadsheet rows.
"""

import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from connectors.providers import FamilyRefresh, provider_for

from ..family.household import Household, HouseholdEvent, HouseholdEventKind, QFProvider
from ..family.household_selectors import household_accounts, household_dossiers
from ..family.pricing import dossier_prices_compute
from ..family.selectors import staff_councils
from ..models import QF_SOURCE_LABELS, DossierEvent, DossierStatus, EventKind, StaffRole
from .qf_check_models import CampaignStatus, Decision, QFCheckCampaign, QFCheckClass, QFCheckItem

# Injectable for tests: the campaign's pace must never really sleep there.
sleep = time.sleep
clock = time.monotonic

PROVIDER_NAMES = {"CNAF": QFProvider.CNAF, "MSA": QFProvider.MSA}
# Classes where the CAF or MSA answered about the QF on file: the base of "what share was wrong".
ANSWERED = [
    QFCheckClass.UNCHANGED,
    QFCheckClass.CHANGED,
    QFCheckClass.MSA,
    QFCheckClass.NOT_FOUND,
    QFCheckClass.IDENTITY_MISMATCH,
]
WRONG = [QFCheckClass.CHANGED, QFCheckClass.MSA, QFCheckClass.NOT_FOUND, QFCheckClass.IDENTITY_MISMATCH]
CHECK_ROLES = [StaffRole.AGENT, StaffRole.HEALTH]


def qf_check_councils(*, user):
    """The councils whose yearly QF check ``user`` may start and read: its agents' (and superusers)."""
    if not user.has_perm("forms.change_dossier") and not user.is_superuser:
        return staff_councils(user=user).none()
    return staff_councils(user=user, roles=CHECK_ROLES)


def campaigns_for_staff(*, user) -> QuerySet[QFCheckCampaign]:
    return QFCheckCampaign.objects.filter(council__in=qf_check_councils(user=user)).select_related("council")


class Pace:
    """At most ``rate`` households per second (0: no pace), well within API Particulier's 20 calls per second
    and per token, so that families filling their forms keep the rest of the budget."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.next_at: float | None = None

    def wait(self) -> None:
        now = clock()
        if self.next_at is not None and now < self.next_at:
            sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def qf_check_start(*, council, month: datetime.date, by) -> QFCheckCampaign:
    """A campaign of ``council`` for ``month``, one line per household, and its task enqueued."""
    with transaction.atomic():
        campaign = QFCheckCampaign.objects.create(council=council, month=month.replace(day=1), started_by=by)
        households = Household.objects.filter(council=council).order_by("pk").values_list("pk", flat=True)
        QFCheckItem.objects.bulk_create(
            (QFCheckItem(campaign=campaign, household_id=pk) for pk in households.iterator()), batch_size=1000
        )
        campaign.total = campaign.items.count()
        campaign.save(update_fields=["total"])
    qf_check_task.enqueue(campaign.pk)
    campaign.refresh_from_db()
    return campaign


@dataclass(frozen=True)
class Classified:
    outcome: str
    qf: int | None = None
    provider: str = ""
    month: datetime.date | None = None
    request_id: str = ""


def qf_check_classify(*, household: Household, refresh: FamilyRefresh) -> Classified:
    """The class of a household from what its data source said (or why it was not asked)."""
    if refresh.state == "no_consent":
        return Classified(QFCheckClass.NO_CONSENT)
    if refresh.state != "fetched" or refresh.result is None:
        declared = household.qf is not None and not household.qf_provider
        return Classified(QFCheckClass.DECLARED if declared else QFCheckClass.NEVER_FETCHED)
    result = refresh.result
    request_id = result.request_id or ""
    if not result.ok:
        outcome = {"no_file": QFCheckClass.NOT_FOUND, "identity_mismatch": QFCheckClass.IDENTITY_MISMATCH}.get(
            result.kind or "", QFCheckClass.ERROR
        )
        return Classified(outcome, request_id=request_id)
    value = result.values.get("qf.valeur")
    provider = PROVIDER_NAMES.get(result.values.get("qf.fournisseur", ""), "")
    month = None
    if result.values.get("qf.annee") and result.values.get("qf.mois"):
        month = datetime.date(result.values["qf.annee"], result.values["qf.mois"], 1)
    if value is None:  # found, but the CAF knows no QF (value 0)
        return Classified(QFCheckClass.NOT_FOUND, provider=provider, month=month, request_id=request_id)
    if value == household.qf and provider == household.qf_provider:
        outcome = QFCheckClass.UNCHANGED
    elif provider == QFProvider.MSA and household.qf_provider != QFProvider.MSA:
        outcome = QFCheckClass.MSA
    else:
        outcome = QFCheckClass.CHANGED
    return Classified(outcome, qf=value, provider=provider, month=month, request_id=request_id)


def _check(item: QFCheckItem, *, campaign: QFCheckCampaign, pace: Pace) -> None:
    household = item.household
    users = list(household_accounts(household=household))
    # Claimed before the call: a run that dies after this line never asks the CAF twice for the household.
    if not QFCheckItem.objects.filter(pk=item.pk, fetch_started_at__isnull=True).update(
        fetch_started_at=timezone.now()
    ):
        return
    if users:
        pace.wait()
        refresh = provider_for().refresh(council=campaign.council, users=users, month=campaign.month)
    else:  # a paper dossier's household: no account, so no consent
        refresh = FamilyRefresh(state="never")
    classified = qf_check_classify(household=household, refresh=refresh)
    QFCheckItem.objects.filter(pk=item.pk).update(
        outcome=classified.outcome,
        checked_at=timezone.now(),
        old_qf=household.qf,
        old_provider=household.qf_provider,
        old_month=household.qf_month,
        new_qf=classified.qf,
        new_provider=classified.provider,
        new_month=classified.month,
        request_id=classified.request_id,
    )


def qf_check_run(*, campaign: QFCheckCampaign, max_households: int | None = None) -> QFCheckCampaign:
    """Check the campaign's households not checked yet, in order, at the campaign's pace; stop after
    ``max_households`` (a test, or an operator, may run it in pieces). Returns the campaign refreshed."""
    QFCheckCampaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PENDING).update(status=CampaignStatus.RUNNING)
    # A line claimed by a run that stopped before its answer was kept: asked once already, never again.
    campaign.items.filter(outcome="", fetch_started_at__isnull=False).update(
        outcome=QFCheckClass.ERROR, checked_at=timezone.now()
    )
    pace = Pace(settings.QF_CHECK_RATE)
    pending = campaign.items.filter(outcome="", fetch_started_at__isnull=True).select_related("household")
    for number, item in enumerate(pending.order_by("pk").iterator(chunk_size=200)):
        if max_households is not None and number >= max_households:
            break
        _check(item, campaign=campaign, pace=pace)
        if number % 10 == 9:
            _progress(campaign)
    _progress(campaign)
    campaign.refresh_from_db()
    return campaign


def _progress(campaign: QFCheckCampaign) -> None:
    checked = campaign.items.exclude(outcome="").count()
    fields: dict[str, Any] = {"checked": checked}
    if checked >= campaign.total:
        fields.update(status=CampaignStatus.DONE, finished_at=timezone.now())
    QFCheckCampaign.objects.filter(pk=campaign.pk).update(**fields)


@task()
def qf_check_task(campaign_id: int) -> dict:
    """Run (or resume) a campaign; returns its counts per class."""
    campaign = qf_check_run(campaign=QFCheckCampaign.objects.select_related("council").get(pk=campaign_id))
    return {row["outcome"]: row["count"] for row in qf_check_report(campaign=campaign)["classes"]}


def qf_check_resume(*, campaign: QFCheckCampaign) -> None:
    """Enqueue the campaign's task again (after a worker stopped): it continues where it stopped."""
    if campaign.status != CampaignStatus.DONE:
        qf_check_task.enqueue(campaign.pk)


def _qf_text(qf: int | None, provider: str, month: datetime.date | None) -> str:
    if qf is None:
        return ""
    source = QF_SOURCE_LABELS.get(provider, _("declared"))
    return f"{qf} ({source}{f', {month:%m/%Y}' if month else ''})"


def _reprice(*, household: Household, item: QFCheckItem, by, reason: str) -> int:
    """Price again the household's validated enrolments with its new QF, from the month it holds for."""
    count = 0
    dossiers = household_dossiers(household=household).filter(status=DossierStatus.VALIDATED)
    for dossier in dossiers:
        if not dossier.form_page.specific.priced_services:
            continue
        dossier.qf, dossier.qf_source, dossier.qf_month = household.qf, household.qf_provider, household.qf_month
        resident = (dossier.prices.get("household") or {}).get("resident")  # an agent's decision stays
        prices = dossier_prices_compute(dossier=dossier, resident=resident)
        prices["from_month"] = item.new_month.isoformat() if item.new_month else ""
        prices["reason"] = reason
        dossier.prices = prices
        dossier.save(update_fields=["qf", "qf_source", "qf_month", "prices", "updated_at"])
        DossierEvent.objects.create(
            dossier=dossier,
            actor=by,
            kind=EventKind.PRICING,
            from_status=dossier.status,
            to_status=dossier.status,
            comment=reason,
            details={"qf_check": item.campaign_id, "qf": household.qf, "from_month": prices["from_month"]},
        )
        count += 1
    return count


def qf_check_apply(*, item: QFCheckItem, by) -> HouseholdEvent:
    """The agent applies the new QF: it becomes the household's (with its provenance), the household's
    history says who, when and from which campaign, and its validated enrolments are priced again."""
    with transaction.atomic():
        item = QFCheckItem.objects.select_for_update().select_related("campaign").get(pk=item.pk)
        if not item.actionable or item.decision:
            raise ValidationError(_("This line has no new QF to apply, or it was already decided."))
        household = Household.objects.select_for_update().get(pk=item.household_id)
        campaign = item.campaign
        before = _qf_text(household.qf, household.qf_provider, household.qf_month)
        household.qf, household.qf_provider, household.qf_month = item.new_qf, item.new_provider, item.new_month
        household.qf_verified = True
        household.qf_provenance = {
            "source": "qf_check",
            "campaign": campaign.pk,
            "provider": {QFProvider.CNAF: "CNAF", QFProvider.MSA: "MSA"}.get(item.new_provider, ""),
            "period": f"{item.new_month:%Y-%m}" if item.new_month else "",
            "request_id": item.request_id,
            "fetched_at": item.checked_at.isoformat() if item.checked_at else "",
        }
        household.save()
        after = _qf_text(household.qf, household.qf_provider, household.qf_month)
        reason = _("Yearly QF check of %(month)s (campaign no. %(number)s): QF %(before)s → %(after)s.") % {
            "month": f"{campaign.month:%m/%Y}",
            "number": campaign.pk,
            "before": before or _("none"),
            "after": after,
        }
        if item.new_month:
            reason += " " + _("Prices follow it from %(month)s.") % {"month": f"{item.new_month:%m/%Y}"}
        event = HouseholdEvent.objects.create(
            household=household,
            kind=HouseholdEventKind.QF_CHECKED,
            actor=by,
            changes={"qf": {"label": str(_("Family quotient")), "before": before, "after": after}},
            comment=reason,
        )
        _reprice(household=household, item=item, by=by, reason=reason)
        item.decision, item.decided_by, item.decided_at = Decision.APPLIED, by, timezone.now()
        item.save(update_fields=["decision", "decided_by", "decided_at"])
    return event


def qf_check_ignore(*, item: QFCheckItem, by) -> None:
    """The agent keeps the QF on file (the household and its prices do not change)."""
    updated = QFCheckItem.objects.filter(pk=item.pk, decision=Decision.PENDING).update(
        decision=Decision.IGNORED, decided_by=by, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This line was already decided."))


def qf_check_report(*, campaign: QFCheckCampaign) -> dict:
    """Counts per class (with their share of the households), and the commune's question: of the QFs the
    CAF or MSA answered about, how many on file were wrong or missing, and why."""
    counts = dict(campaign.items.exclude(outcome="").values_list("outcome").annotate(n=Count("pk")))
    total = campaign.total or 0
    classes = [
        {
            "outcome": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "percent": round(100 * counts.get(value, 0) / total) if total else 0,
        }
        for value, label in QFCheckClass.choices
    ]
    answered = sum(counts.get(value, 0) for value in ANSWERED)
    wrong = sum(counts.get(value, 0) for value in WRONG)
    return {
        "classes": classes,
        "answered": answered,
        "wrong": wrong,
        "wrong_percent": round(100 * wrong / answered) if answered else 0,
        "why": [row for row in classes if row["outcome"] in WRONG and row["count"]],
        "not_asked": sum(counts.get(value, 0) for value in QFCheckClass.values if value not in ANSWERED),
    }


def household_name(household: Household) -> str:
    return ", ".join(f"{g.first_name} {g.last_name}".strip() for g in household.guardians.all()) or _(
        "Household %(number)s"
    ) % {"number": household.pk}


EXPORT_HEADER = [
    "household",
    "family",
    "class",
    "qf_on_file",
    "provider_on_file",
    "month_on_file",
    "qf_now",
    "provider_now",
    "month_now",
    "request_id",
    "decision",
    "decided_at",
]


def qf_check_rows(*, campaign: QFCheckCampaign) -> Iterator[list[Any]]:
    """The header (translated) then one row per household: the spreadsheet of the report."""
    labels = {
        "household": _("Household"),
        "family": _("Family"),
        "class": _("Class"),
        "qf_on_file": _("QF on file"),
        "provider_on_file": _("Provider on file"),
        "month_on_file": _("Month on file"),
        "qf_now": _("QF now"),
        "provider_now": _("Provider now"),
        "month_now": _("Month now"),
        "request_id": _("X-Request-Id"),
        "decision": _("Decision"),
        "decided_at": _("Decided at"),
    }
    yield [str(labels[key]) for key in EXPORT_HEADER]
    classes = dict(QFCheckClass.choices)
    decisions = dict(Decision.choices)
    items = campaign.items.select_related("household").prefetch_related("household__guardians").order_by("pk")
    for item in items.iterator(chunk_size=500):
        yield [
            item.household_id,
            household_name(item.household),
            str(classes.get(item.outcome, "")),
            item.old_qf,
            str(QF_SOURCE_LABELS.get(item.old_provider, "")),
            item.old_month,
            item.new_qf,
            str(QF_SOURCE_LABELS.get(item.new_provider, "")),
            item.new_month,
            item.request_id,
            str(decisions.get(item.decision, "")) if item.outcome else "",
            timezone.localtime(item.decided_at).replace(tzinfo=None) if item.decided_at else None,
        ]
