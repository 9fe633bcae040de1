"""Security headers beyond Django's own: Content-Security-Policy (django-csp) and Permissions-Policy.

The public site's policy is strict for scripts: only our own static files (no inline script, no inline
event handler, no eval); styles from our files and inline (the council colour's ``<style>``, in pages
cached whole). Wagtail's admin still renders a few inline scripts (inline panels, date pickers), so under
``/admin/`` (behind the login and the second factor) scripts may also be inline.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's allowances under OTP_ADMIN_PREFIX."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(settings.OTP_ADMIN_PREFIX) and parts.replace is None:
            parts.replace = {"script-src": [SELF, UNSAFE_INLINE]}
        return parts
