"""Family accounts (django-allauth): where a family lands after logging in."""

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter

from home.selectors import council_for_request, rules_pages_to_accept_again


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
