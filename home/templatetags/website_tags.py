"""Template tags of the council's website: absolute addresses for the canonical link and Open Graph."""

from urllib.parse import urlsplit

from django import template
from wagtail.models import Page

register = template.Library()


@register.simple_tag(takes_context=True)
def site_root(context, page) -> str:
    """The root address of the page's council site (``https://host``, no trailing slash), in the scheme the
    request came in (https behind the TLS proxy) and with a port only when it is not the scheme's default."""
    request = context.get("request")
    parts = page.get_url_parts(request) if isinstance(page, Page) else None
    if parts is None:
        return ""
    root = urlsplit(parts[1])
    scheme = request.scheme if request is not None else root.scheme
    port = root.port if root.port not in (None, 80, 443) else None
    return f"{scheme}://{root.hostname}{f':{port}' if port else ''}"


@register.simple_tag(takes_context=True)
def canonical_url(context, page) -> str:
    """The page's one address for search engines and shares (see ``site_root``)."""
    parts = page.get_url_parts(context.get("request")) if isinstance(page, Page) else None
    return f"{site_root(context, page)}{parts[2]}" if parts else ""
