"""Reads of the household: a family's household for a council, its dossiers, its history, its pricing facts."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from home.communes import commune_by_insee

from ..models import Dossier
from .household import Household, HouseholdAccount


def household_for(*, user, council) -> Household | None:
    """The household ``user`` shares for ``council`` (None when the account has none there)."""
    if user is None or not user.is_authenticated or council is None:
        return None
    link = (
        HouseholdAccount.objects.select_related("household")
        .filter(user=user, council=getattr(council, "pk", council))
        .first()
    )
    return link.household if link is not None else None


def household_accounts(*, household: Household) -> QuerySet:

    return get_user_model().objects.filter(household_links__household=household).order_by("household_links__pk")


def household_dossiers(*, household: Household) -> QuerySet[Dossier]:
    """Every dossier of the household: those its accounts sent to its council, latest first."""
    return (
        Dossier.objects.filter(council=household.council, family__household_links__household=household)
        .select_related("form_page")
        .order_by("-submitted_at")
        .distinct()
    )


def household_is_resident(*, household: Household) -> bool | None:
    """Whether the household's address is in a commune the council serves (None: no commune known)."""

    commune = commune_by_insee(household.address_insee) if household.address_insee else None
    if commune is None:
        return None
    return commune.insee in household.council.served_codes()


def household_commune(*, household: Household):

    return commune_by_insee(household.address_insee) if household.address_insee else None


def household_for_dossier(*, dossier) -> Household | None:
    """The household behind a dossier: its family's for the dossier's council (None for a paper dossier)."""
    if dossier.family_id is None:
        return None
    return household_for(user=dossier.family, council=dossier.council_id)


def household_qf_on_file(*, household: Household | None) -> tuple[int | None, str, object, str]:
    """The household's QF when it comes from a checked source (fetched from the CAF or MSA, or read by an
    agent on a proof): ``(qf, provider, month, reference of the dossier it came from)``, else
    ``(None, "", None, "")``. What prices an enrolment, whose form does not ask for the QF."""
    if household is None or household.qf is None or not household.qf_provider:
        return None, "", None, ""
    event = (
        household.events.filter(changes__has_key="qf", dossier__isnull=False).select_related("dossier").last()
        if household.pk
        else None
    )
    return household.qf, household.qf_provider, household.qf_month, event.dossier.reference if event else ""


def household_children_in_care(*, household: Household) -> tuple[int, int]:
    """(children in the household's care, of whom receiving the AEEH): what the PSU rate counts."""
    children = list(household.children.all())
    return len(children), sum(1 for child in children if child.aeeh)


def child_health_summary(*, child) -> dict | None:
    """A short summary of a child's protected health part: whether a PAI is on file, since when (its dossier's
    date) and until when (a PAI is drawn up for the school year: until the 31st of August), and the needs.
    Only for the family and for agents with the health role: callers check the role before calling."""
    health = getattr(child, "health", None) if child.pk else None
    if health is None or not (health.has_pai or health.summary):
        return None
    since = timezone.localtime(health.dossier.submitted_at).date() if health.dossier else health.updated_at.date()
    return {
        "has_pai": health.has_pai,
        "since": since,
        "valid_until": datetime.date(since.year + (1 if since.month >= 9 else 0), 8, 31) if health.has_pai else None,
        "summary": health.summary,
    }
