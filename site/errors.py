"""The server error page: in the council's colours and menus when the site can still be read, else plain."""

from django.http import HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse


def server_error(request):
    """Django's ``handler500``: the themed 500 page; if building it fails too (e.g. the database is down),
    the plain one, which needs nothing but its template."""
    try:
        response = TemplateResponse(request, "500.html", status=500)
        return response.render()
    except Exception:
        return HttpResponseServerError(loader.get_template("500_plain.html").render())
