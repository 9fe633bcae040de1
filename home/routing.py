"""Wagtail's page routing, remembered: a page URL already resolved costs no query the next time.

Wagtail finds the page of a URL by walking the tree from the site's root, two queries per level (the
child, then its specific model), after a query for the site. The pages change far less often than
they are read, so each process remembers what that walk found (``common.memo``, forgotten whenever
something routing depends on changes: a page published, unpublished, moved or deleted, a site or a
privacy setting edited, an image replaced): the site of a host, and the page reached by a path.

``serve`` is Wagtail's ``serve`` view with that memory in front, written with Wagtail's public API only:
``Site.find_for_request`` and ``Page.route_for_request`` for the walk, the page's own ``route()`` for
what follows a remembered path (a routable page's sub-URLs, a child), then the ``on_serve_page`` and
``before_serve_page`` hooks as Wagtail documents them, privacy restrictions included (checked against
the restrictions remembered with the page).
"""

import copy

from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse
from wagtail import hooks
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from common import memo


def _host(request) -> tuple[str, int | str]:
    return request.get_host(), request.get_port()


def _components(path: str) -> list[str]:
    return [component for component in path.split("/") if component]


def _route_from_memory(request, components: list[str]):
    """The route of this request from what is remembered, or None (not known yet)."""
    site_id = memo.recall("site", _host(request))
    if site_id is None:
        return None
    for length in range(len(components), -1, -1):  # the longest known page path first
        remembered = memo.recall("route", (site_id, tuple(components[:length])))
        if remembered is not None:
            page, restrictions = remembered
            # A copy per request: views may set attributes on the page they serve.
            page = copy.copy(page)
            page.get_view_restrictions = restrictions.copy  # what Wagtail's privacy hook asks, remembered
            try:
                return page.route(request, components[length:])
            except Http404:  # not under the remembered page: Wagtail's walk decides
                return None
    return None


def _route_walked(request, path: str):
    """Wagtail's own walk; the site of this host and the page it reached are remembered."""
    route = Page.route_for_request(request, path)
    site = Site.find_for_request(request)  # found by the walk, kept by Wagtail on the request
    if site is None or route is None:
        return route
    page, root_path = route[0], site.root_page.url_path
    if page.url_path.startswith(root_path):
        memo.remember("site", _host(request), site.pk)
        key = (site.pk, tuple(_components(page.url_path[len(root_path) :])))
        memo.remember("route", key, (copy.copy(page), list(page.get_view_restrictions())))
    return route


def _serve_chain(page, request, args, kwargs):
    return page.serve(request, *args, **kwargs)


def serve(request, path):
    """Wagtail's ``serve`` view, with the route found in memory when this path was resolved before."""
    with memo.pinned_pages_version():
        route = _route_from_memory(request, _components(path)) or _route_walked(request, path)
        if route is None:
            raise Http404
        page, args, kwargs = route
        chain = _serve_chain
        for wrap in reversed(hooks.get_hooks("on_serve_page")):
            chain = wrap(chain)
        for before in hooks.get_hooks("before_serve_page"):
            result = before(page, request, args, kwargs)
            if isinstance(result, HttpResponse):
                return result
        return chain(page, request, args, kwargs)


def connect_signals() -> None:
    """Everything that changes which page a URL reaches, or what a page's chrome shows, forgets what the
    pages version remembered."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(memo.pages_changed, dispatch_uid=f"home_pages_changed_{id(signal)}")
    for model in (*get_page_models(), Site, PageViewRestriction, get_image_model()):
        post_save.connect(memo.pages_changed, sender=model, dispatch_uid=f"home_pages_changed_save_{model.__name__}")
        post_delete.connect(memo.pages_changed, sender=model, dispatch_uid=f"home_pages_changed_del_{model.__name__}")
