"""Reads about councils that other apps may use (public surface of ``home``)."""

from django.db.models import QuerySet
from wagtail.models import GroupPagePermission, Site

from .models import CouncilHomePage


def council_for_request(request) -> CouncilHomePage | None:
    """The council whose Wagtail site serves this request (cached on the request)."""
    if not hasattr(request, "_council"):
        site = Site.find_for_request(request)
        council = None
        if site is not None:
            council = CouncilHomePage.objects.filter(pk=site.root_page_id).select_related("logo").first()
        request._council = council
    return request._council


def council_for_page(page) -> CouncilHomePage | None:
    """The council a page belongs to: its nearest ``CouncilHomePage`` ancestor (or itself)."""
    return CouncilHomePage.objects.ancestor_of(page, inclusive=True).first()


def councils_for_user(user) -> QuerySet[CouncilHomePage]:
    """Councils a staff user works for: those whose page tree one of the user's groups has rights on.

    Superusers work for every council; anonymous users and families for none.
    """
    if not user.is_authenticated or not user.is_active:
        return CouncilHomePage.objects.none()
    if user.is_superuser:
        return CouncilHomePage.objects.all()
    page_ids = GroupPagePermission.objects.filter(group__user=user).values_list("page_id", flat=True)
    return CouncilHomePage.objects.filter(pk__in=page_ids)


def council_by_slug(slug: str) -> CouncilHomePage:
    return CouncilHomePage.objects.get(slug=slug)
