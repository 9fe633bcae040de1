"""Reads of the ``forms`` app (public surface): a family's drafts and dossiers, a staff member's dossiers."""

from django.db.models import QuerySet
from django.utils import timezone

from home.selectors import councils_for_user

from .models import Dossier, DossierFile, Draft, DraftFile


def drafts_for_family(*, user) -> QuerySet[Draft]:
    """The family's drafts that have not expired, latest first."""
    if not user.is_authenticated:
        return Draft.objects.none()
    return (
        Draft.objects.filter(user=user, expires_at__gt=timezone.now())
        .select_related("form_page")
        .order_by("-updated_at")
    )


def dossiers_for_family(*, user) -> QuerySet[Dossier]:
    """The family's submitted dossiers, latest first."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(family=user).select_related("form_page", "council").order_by("-submitted_at")


def dossiers_for_staff(*, user) -> QuerySet[Dossier]:
    """Dossiers of the councils a staff member works for (none for families and other councils' staff)."""
    return Dossier.objects.filter(council__in=councils_for_user(user)).select_related("form_page", "council", "family")


def can_see_health_data(*, user) -> bool:
    return user.is_superuser or user.has_perm("forms.view_health_data")


def stored_file_for(*, user, token) -> DossierFile | DraftFile | None:
    """A stored file ``user`` may download: their own (draft or dossier), or one of their councils' dossiers.

    Health files of a dossier need the health permission on the staff side.
    """
    if not user.is_authenticated:
        return None
    dossier_file = DossierFile.objects.select_related("dossier").filter(uuid=token).first()
    if dossier_file is not None:
        dossier = dossier_file.dossier
        if dossier.family_id == user.pk:
            return dossier_file
        is_staff_of_council = (
            user.has_perm("forms.view_dossier") and councils_for_user(user).filter(pk=dossier.council_id).exists()
        )
        if is_staff_of_council:
            if dossier_file.health and not can_see_health_data(user=user):
                return None
            return dossier_file
        return None
    return DraftFile.objects.filter(uuid=token, draft__user=user).first()
