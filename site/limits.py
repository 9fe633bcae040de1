"""Refuse an oversized request body before reading it: a 200 MB upload is answered at once with a 413 page
in French, instead of being read (and written to a temporary file) in full first."""

from django.conf import settings
from django.shortcuts import render


class RequestBodyLimitMiddleware:
    """413 when the declared Content-Length exceeds ``MAX_REQUEST_BODY_SIZE`` (the body is never read)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_SIZE:
            context = {"max_size": settings.MAX_REQUEST_BODY_SIZE, "back": request.path}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
