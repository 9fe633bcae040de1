"""The editors of a council (pages, images and documents of its site): one group per council."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from .models import CouncilHomePage

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_REDIRECT_PERMISSIONS = ["add_redirect", "change_redirect", "delete_redirect"]
EDITOR_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]


def editor_group_ensure(council: CouncilHomePage) -> Group:
    """The group of ``council``'s editors, with rights on its page tree and its collection (created or
    brought up to date)."""
    group, _ = Group.objects.get_or_create(name=f"{council.official_name} – éditeurs")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=council,
            permission=Permission.objects.get(codename=codename, content_type__app_label="wagtailcore"),
        )
    # Editors manage their own site's redirects (home/redirects_admin.py keeps them to it).
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailredirects", codename__in=EDITOR_REDIRECT_PERMISSIONS)
    )
    root_collection = Collection.get_first_root_node()
    collection = root_collection.get_children().filter(name=council.official_name).first()
    if collection is None:
        collection = root_collection.add_child(name=council.official_name)
    for perm in EDITOR_COLLECTION_PERMISSIONS:
        app_label, codename = perm.split(".")
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    return group
