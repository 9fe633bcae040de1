"""Family accounts (django-allauth): where a family lands after logging in, and the account emails.

Account emails (address confirmation, password reset, notices) are in French, name the council whose site
the family uses, and link to that council's own site (its Wagtail ``Site``: hostname and port), never to
whatever host the request came through. Families sign in with their email: it is how they are named.
"""

from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from home.selectors import council_for_request, council_site_url, rules_pages_to_accept_again

# Context values that allauth fills with absolute links built from the request.
LINK_KEYS = ("activate_url", "password_reset_url", "signup_url")


def user_display(user) -> str:
    """How allauth names a family in its messages: by the email it signs in with (never a username)."""
    return user.email or user.get_username()


def council_link(request, url: str) -> str:
    """``url`` (absolute or a path) moved onto the council's own site."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return council_site_url(council_for_request(request) if request is not None else None) + path


class FamilyAccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """After login, a family whose accepted rules have a new version in force is asked to accept it."""
        url = super().get_login_redirect_url(request)
        council = council_for_request(request)
        pending = rules_pages_to_accept_again(council=council, user=request.user) if council else []
        if pending:
            page = pending[0]
            return page.get_url(request) + page.reverse_subpage("accept") + "?" + urlencode({"next": url})
        return url

    def format_email_subject(self, subject: str) -> str:
        council = council_for_request(self.request) if self.request is not None else None
        name = council.official_name if council else _("Family portal")
        return f"[{name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = self.request
        council = council_for_request(request) if request is not None else None
        context = {
            **context,
            "council": council,
            "council_name": council.official_name if council else _("Family portal"),
            "council_url": council_site_url(council) + "/",
        }
        for key in LINK_KEYS:
            if context.get(key):
                context[key] = council_link(request, context[key])
        # Families read French, whatever language the browser asked for.
        with translation.override(settings.LANGUAGE_CODE):
            super().send_mail(template_prefix, email, context)
