"""Template context shared by every public page."""

from django.utils.functional import SimpleLazyObject


def council(request):
    """``council``: the ``CouncilHomePage`` of the site serving the request (queried only if used), and
    ``pages_version``, which changes whenever a page is published: the key of the page frame's cached
    fragments (the council's menu, footer, logo)."""
    from home.routing import pages_version
    from home.selectors import council_for_request

    return {
        "council": SimpleLazyObject(lambda: council_for_request(request)),
        "pages_version": SimpleLazyObject(pages_version),
    }
