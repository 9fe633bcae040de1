"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from common.memo import pages_version
from home.selectors import council_for_request


def council(request):
    """``council``: the ``CouncilHomePage`` of the site serving the request (queried only if used), and
    ``pages_version``, which changes whenever a page is published: the key of the page frame's cached
    fragments (the council's menu, footer, logo)."""
    return {
        "council": SimpleLazyObject(lambda: council_for_request(request)),
        "pages_version": SimpleLazyObject(pages_version),
    }
