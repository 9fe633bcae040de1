"""Reads of the ``forms`` app (public surface): a family's drafts and dossiers, a staff member's dossiers.

Staff reach: a group works for a council in a role through ``CouncilRole`` (agents, agents with health
access, billing); editors (page permissions, ``home.selectors.councils_for_user``) build forms but do not
read dossiers. ``staff_councils`` is the one place that says which councils a staff member works for.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from home.models import CouncilHomePage

from ..models import CouncilRole, Dossier, DossierFile, Draft, DraftFile, StaffRole


def drafts_for_family(*, user, council: CouncilHomePage | None = None) -> QuerySet[Draft]:
    """The family's drafts that have not expired, latest first (not an agent's counter drafts); with
    ``council``, only those of its forms (the pages below its home page)."""
    if not user.is_authenticated:
        return Draft.objects.none()
    drafts = Draft.objects.filter(user=user, expires_at__gt=timezone.now(), agent__isnull=True)
    if council is not None:
        drafts = drafts.filter(form_page__path__startswith=council.path)
    return drafts.select_related("form_page").order_by("-updated_at")


def dossiers_for_family(*, user) -> QuerySet[Dossier]:
    """The family's submitted dossiers, latest first."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(family=user).select_related("form_page", "council").order_by("-submitted_at")


def staff_councils(*, user, roles=None) -> QuerySet[CouncilHomePage]:
    """Councils ``user`` works for through a group's ``CouncilRole`` (in one of ``roles``; all roles by default).

    Superusers work for every council; families and inactive accounts for none.
    """
    if not user.is_authenticated or not user.is_active:
        return CouncilHomePage.objects.none()
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    links = CouncilRole.objects.filter(group__user=user)
    if roles is not None:
        links = links.filter(role__in=list(roles))
    return CouncilHomePage.objects.filter(pk__in=links.values("council_id"))


def dossiers_for_staff(*, user) -> QuerySet[Dossier]:
    """Dossiers of the councils a staff member works for (none for families, editors and other councils' staff)."""
    if not (user.is_authenticated and user.has_perm("forms.view_dossier")):
        return Dossier.objects.none()
    return Dossier.objects.filter(council__in=staff_councils(user=user)).select_related(
        "form_page", "council", "family"
    )


def can_act_on_dossier(*, user, dossier: Dossier) -> bool:
    """Whether ``user`` may change the dossier (review, correction, validation, notes, assignment)."""
    return user.has_perm("forms.change_dossier") and dossiers_for_staff(user=user).filter(pk=dossier.pk).exists()


def can_export(*, user) -> bool:
    return user.has_perm("forms.export_dossiers") and user.has_perm("forms.view_dossier")


def health_councils(*, user) -> QuerySet[CouncilHomePage]:
    """Councils whose health data (PAI, fields and files marked as health) ``user`` may read and write:
    the health role of that council (superusers: every council). The one rule every staff view, export,
    summary, file download and counter step applies, through ``can_see_health_data``."""
    if not user.is_authenticated or not user.is_active:
        return CouncilHomePage.objects.none()
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    if not user.has_perm("forms.view_health_data"):
        return CouncilHomePage.objects.none()
    return staff_councils(user=user, roles=[StaffRole.HEALTH])


def can_see_health_data(*, user, council=None) -> bool:
    """Whether ``user`` may read health data (PAI), of ``council`` when given (need-to-know, per council)."""
    councils = health_councils(user=user)
    if council is None:
        return councils.exists()
    return councils.filter(pk=getattr(council, "pk", council)).exists()


def form_holds_health_data(*, form_page, definition) -> bool:
    """Whether a form asks for health data: the whole form (PAI), or one of its fields or groups."""
    return bool(form_page.is_health_data or definition.health_keys())


def agents_of_council(*, council) -> QuerySet:
    """Active staff who may act on ``council``'s dossiers (to assign a dossier to one of them)."""
    groups = CouncilRole.objects.filter(council=council, role__in=[StaffRole.AGENT, StaffRole.HEALTH])
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__in=groups.values("group_id"))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


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
        if dossiers_for_staff(user=user).filter(pk=dossier.pk).exists():
            if (dossier_file.health or dossier.is_health_data) and not can_see_health_data(
                user=user, council=dossier.council_id
            ):
                return None
            return dossier_file
        return None
    return DraftFile.objects.filter(uuid=token, draft__user=user, draft__agent__isnull=True).first()
