"""Template context shared by every public page."""

from django.utils.functional import SimpleLazyObject

from home.selectors import council_for_request


def council(request):
    """``council``: the ``CouncilHomePage`` of the site serving the request (queried only if used)."""
    return {"council": SimpleLazyObject(lambda: council_for_request(request))}
