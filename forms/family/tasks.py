"""Background work of the ``forms`` app (Django tasks: immediate in tests, a worker in production)."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import task

logger = logging.getLogger(__name__)
RETRY_DELAY = datetime.timedelta(minutes=5)


@task()
def notification_send(log_pk: int) -> None:
    """Send one logged email; on failure, retry (up to ``MAX_ATTEMPTS``), then mark it failed."""
    from ..models import NotificationLog, NotificationStatus
    from .notifications import MAX_ATTEMPTS, notification_texts

    log = NotificationLog.objects.select_related("dossier__form_page", "dossier__council").get(pk=log_pk)
    if log.status in (NotificationStatus.SENT, NotificationStatus.FAILED):
        return
    log.attempts += 1
    try:
        # Families read French, whoever or whatever triggered the email (a request, a worker).
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = notification_texts(dossier=log.dossier, event=log.event)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [log.recipient])
    except Exception as error:
        log.last_error = type(error).__name__[:255]
        log.status = NotificationStatus.RETRYING if log.attempts < MAX_ATTEMPTS else NotificationStatus.FAILED
        log.save(update_fields=["attempts", "last_error", "status"])
        logger.warning("Notification %s failed (attempt %s): %s", log.pk, log.attempts, log.last_error)
        if log.status == NotificationStatus.RETRYING:
            _retry(log.pk)
        return
    log.status = NotificationStatus.SENT
    log.sent_at = timezone.now()
    log.save(update_fields=["attempts", "status", "sent_at", "last_error"])


def _retry(log_pk: int) -> None:
    # A worker backend runs the retry later; the immediate backend (tests, laptop) runs it at once.
    if notification_send.get_backend().supports_defer:
        notification_send.using(run_after=timezone.now() + RETRY_DELAY).enqueue(log_pk)
    else:
        notification_send.enqueue(log_pk)
