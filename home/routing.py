"""Wagtail's page routing, remembered: a page URL already resolved costs no query the next time.

Wagtail finds the page of a URL by walking the tree from the site's root, two queries per level (the
child, then its specific model), after a query for the site. The pages change far less often than
they are read, so each process remembers what that walk found: the site of a host, and the page
reached by a path. Everything remembered belongs to one *pages version*, a token kept in the shared
cache and replaced whenever something routing depends on changes (a page published, unpublished,
moved or deleted, a site or a privacy setting edited, an image replaced): every process then starts
again from Wagtail's own walk. Other caches of what pages show (a council's header and footer) use
the same token, through ``pages_version()``.

What stays per request: Wagtail's serve hooks, privacy restrictions included (checked against the
restrictions remembered with the page), and the page's own ``route()`` for what follows its path (a
routable page's sub-URLs, a child).
"""

import copy
import threading
import uuid
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.views import serve as wagtail_serve

VERSION_KEY = "home:pages-version"

_lock = threading.Lock()
_serving_version: ContextVar[str | None] = ContextVar("pages_version", default=None)
_KINDS = ("sites", "routes", "other")
_MISSING = object()
_memory: dict = {"version": None, **{kind: {} for kind in _KINDS}}


def pages_version() -> str:
    """The current pages version: read from the shared cache once per request that ``serve`` handles."""
    version = _serving_version.get()
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    return version


def pages_changed(**kwargs) -> None:
    """Forget every remembered route and page, in every process (signal receiver): at once, and again
    when the change is committed, so that nothing read from the database in between is kept."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    if _serving_version.get() is not None:
        _serving_version.set(version)


MAX_REMEMBERED = 20_000  # entries of each kind: far more than a portal's pages; a bound whatever hosts ask


def _remembered(version: str) -> dict:
    with _lock:
        if _memory["version"] != version or any(len(_memory[kind]) > MAX_REMEMBERED for kind in _KINDS):
            _memory.update(version=version, **{kind: {} for kind in _KINDS})
        return _memory


def remembered(kind: str, key, build):
    """A value that depends only on the page tree (e.g. the council of a page), built once per pages
    version in this process. Callers must not change what they get."""
    memory = _remembered(pages_version())
    value = memory["other"].get((kind, key), _MISSING)
    if value is _MISSING:
        value = build()
        with _lock:
            memory["other"][(kind, key)] = value
    return value


def _host_key(request) -> tuple[str, int | str]:
    return request._get_raw_host(), request.get_port()


def _components(path: str) -> list[str]:
    return [component for component in path.split("/") if component]


def _route_from_memory(request, path: str, memory: dict):
    """Wagtail's route result for this request from what is remembered, or None (not known yet)."""
    host = _host_key(request)
    if host not in memory["sites"]:
        return None
    request._wagtail_site = memory["sites"][host]
    components = _components(path)
    for length in range(len(components), -1, -1):  # the longest known page path first
        remembered = memory["routes"].get((host, tuple(components[:length])))
        if remembered is not None:
            page, restrictions = remembered
            # A copy per request: views may set attributes on the page they serve.
            page = copy.copy(page)
            page.get_view_restrictions = restrictions.copy  # what Wagtail's privacy hook asks, remembered
            return page.route(request, components[length:])
    return None


def _remember(request, memory: dict, route) -> None:
    """Keep the site of this host and the page Wagtail's walk reached, by the page's path on that site."""
    site = getattr(request, "_wagtail_site", None)
    if site is None or route is None:
        return
    page, root_path = route[0], site.root_page.url_path
    if not page.url_path.startswith(root_path):
        return
    key = (_host_key(request), tuple(_components(page.url_path[len(root_path) :])))
    restrictions = list(page.get_view_restrictions())
    with _lock:
        memory["sites"][key[0]] = site
        memory["routes"][key] = (copy.copy(page), restrictions)


def serve(request, path):
    """Wagtail's ``serve`` view, with the route found in memory when this path was resolved before."""
    version = pages_version()
    serving = _serving_version.set(version)
    try:
        memory = _remembered(version)
        try:
            route = _route_from_memory(request, path, memory)
        except Http404:  # not under the remembered page: Wagtail's walk decides
            route = None
        if route is not None:
            request._wagtail_route_for_request = route
        else:
            _remember(request, memory, Page.route_for_request(request, path))
        return wagtail_serve(request, path)
    finally:
        _serving_version.reset(serving)


def connect_signals() -> None:
    """Everything that changes which page a URL reaches, or what a page's chrome shows."""
    from wagtail.images import get_image_model
    from wagtail.models import get_page_models

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(pages_changed, dispatch_uid=f"home_pages_changed_{id(signal)}")
    for model in (*get_page_models(), Site, PageViewRestriction, get_image_model()):
        post_save.connect(pages_changed, sender=model, dispatch_uid=f"home_pages_changed_save_{model.__name__}")
        post_delete.connect(pages_changed, sender=model, dispatch_uid=f"home_pages_changed_del_{model.__name__}")
