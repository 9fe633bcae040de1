"""Background work of the ``home`` app (Django tasks: immediate in tests, a worker in production)."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import RulesAcceptance, RulesUpdateNotice, RulesVersion
from .selectors import council_for_page, council_site_url, rules_version_in_force
from .tariffs import format_date_fr

logger = logging.getLogger(__name__)


def rules_update_recipients(*, version: RulesVersion):
    """Family accounts that accepted an earlier version of these rules, never this one, and were not told yet."""
    earlier = RulesAcceptance.objects.filter(rules_page_id=version.rules_page_id, version_number__lt=version.number)
    return (
        get_user_model()
        .objects.filter(pk__in=earlier.values("user_id"), is_active=True)
        .exclude(rules_acceptances__version=version)
        .exclude(pk__in=RulesUpdateNotice.objects.filter(version=version).values("user_id"))
        .exclude(email="")
        .order_by("pk")
    )


@task()
def rules_update_notify(version_pk: int) -> None:
    """Email the families who accepted an earlier version of the rules that a new version awaits them
    (once per family and version), when the version is in force (a later date: the task runs again then)."""
    version = RulesVersion.objects.select_related("rules_page").filter(pk=version_pk).first()
    if version is None:
        return
    rules_page = version.rules_page.specific
    if version.effective_date > timezone.localdate():
        if rules_update_notify.get_backend().supports_defer:
            when = datetime.datetime.combine(version.effective_date, datetime.time(7))
            rules_update_notify.using(run_after=timezone.make_aware(when)).enqueue(version_pk)
        return
    in_force = rules_version_in_force(rules_page=rules_page)
    if in_force is None or in_force.pk != version.pk or not rules_page.live:
        return  # replaced since, or withdrawn: the families are told of the version that counts
    council = council_for_page(rules_page)
    link = council_site_url(council) + rules_page.get_url_parts()[2] + rules_page.reverse_subpage("accept")
    for user in rules_update_recipients(version=version):
        try:
            with transaction.atomic():
                RulesUpdateNotice.objects.create(version=version, user=user)
                # Families read French, whoever or whatever published the rules.
                with translation.override(settings.LANGUAGE_CODE):
                    values = {
                        "council": council.official_name,
                        "title": version.title,
                        "number": version.number,
                        "date": format_date_fr(version.effective_date),
                        "link": link,
                        "site": council_site_url(council) + "/",
                    }
                    subject = _("%(council)s: new rules “%(title)s” to accept") % values
                    body = (
                        _(
                            "Hello,\n\n%(council)s has published a new version of “%(title)s” (version %(number)s), "
                            "in force since %(date)s. You had accepted an earlier version: please read the new one "
                            "and accept it on the family portal:\n\n%(link)s\n\n%(council)s\n%(site)s"
                        )
                        % values
                    )
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except IntegrityError:
            continue  # told already (another worker got there first)
        except Exception as error:
            logger.warning("Rules update notice to account %s failed: %s", user.pk, type(error).__name__)
