"""Emails to families at each step of their dossier: texts per council (editable), defaults, queueing.

An email carries the reference, the form's name and a link to the family space, never the answers
(health data may be among them): the family reads the details after logging in. A correction request
also carries the agent's message and what to correct (each field's label and the reason), as the family
space shows them. Sending happens in a background task (``notification_send``: immediate in tests, a
worker in production), retried a bounded number of times, each attempt logged in ``NotificationLog``
(status, attempts, the error's class, never the content).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from home.selectors import council_site_url

from ..models import Dossier, NotificationEvent, NotificationLog, NotificationStatus, NotificationTemplate
from .child_forms import dossier_child_name
from .household import HouseholdInvitation

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_DELAY = datetime.timedelta(minutes=5)

DEFAULT_SUBJECTS = {
    NotificationEvent.SUBMITTED: gettext_lazy("Your dossier {reference} has been received"),
    NotificationEvent.CORRECTION_REQUESTED: gettext_lazy("Your dossier {reference}: a correction is needed"),
    NotificationEvent.VALIDATED: gettext_lazy("Your dossier {reference} has been validated"),
    NotificationEvent.REFUSED: gettext_lazy("Your dossier {reference} has been refused"),
}
DEFAULT_BODIES = {
    NotificationEvent.SUBMITTED: gettext_lazy(
        "Hello,\n\nWe have received your dossier “{form}”. Its reference is {reference}.\n\n"
        "You can follow it in your family space: {link}\n\n{council}"
    ),
    NotificationEvent.CORRECTION_REQUESTED: gettext_lazy(
        "Hello,\n\nThe service has looked at your dossier “{form}” ({reference}) and needs you to correct or "
        "complete some answers or documents.\n\n{corrections}\n\nLog in to your family space to correct them "
        "and send your dossier again: {link}\n\n{council}"
    ),
    NotificationEvent.VALIDATED: gettext_lazy(
        "Hello,\n\nYour dossier “{form}” ({reference}) has been validated. Your prices and their explanation "
        "are in your family space: {link}\n\n{council}"
    ),
    NotificationEvent.REFUSED: gettext_lazy(
        "Hello,\n\nYour dossier “{form}” ({reference}) has been refused. The reason is given in your family "
        "space: {link}\n\n{council}"
    ),
}
PLACEHOLDERS = ("reference", "form", "council", "link", "corrections", "child")


class _Values(dict):
    """Unknown placeholders in a staff-written text stay as they are instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def dossier_link(dossier: Dossier) -> str:
    """The absolute link to the dossier in the family space (on the council's own site when it has one)."""
    return council_site_url(dossier.council) + reverse("forms:family_dossier", kwargs={"uuid": dossier.uuid})


def correction_text(dossier: Dossier) -> str:
    """The latest correction request of the dossier as the family sees it: the agent's message, then each
    answer or document to correct with the reason (never the answer itself)."""
    correction = dossier.corrections.prefetch_related("items").first()
    if correction is None:
        return ""
    lines = []
    if correction.message:
        lines += [_("Message from the service:"), correction.message, ""]
    lines.append(_("To correct:"))
    lines += [
        _("- %(label)s: %(reason)s") % {"label": item.label, "reason": item.get_reason_display().lower()}
        for item in correction.items.all()
    ]
    return "\n".join(lines)


def declared_qf_notice(qf: int) -> str:
    return _(
        "The QF %(qf)s you declared counts only once an agent has checked its proof: until then the maximum "
        "tariff applies."
    ) % {"qf": qf}


def notification_texts(*, dossier: Dossier, event: str) -> tuple[str, str]:
    """Subject and body of an event's email for this dossier: the council's template or the default."""
    template = NotificationTemplate.objects.filter(council_id=dossier.council_id, event=event).first()
    form_page = dossier.form_page
    if template is not None:
        subject, body = template.subject, template.body
    else:
        subject, body = str(DEFAULT_SUBJECTS[event]), str(DEFAULT_BODIES[event])
        if event == NotificationEvent.SUBMITTED and form_page.email_subject:
            subject = form_page.email_subject
    child = dossier_child_name(dossier)
    values = _Values(
        reference=dossier.reference,
        # A form about one child names the child, in the council's own texts too (placeholder {child}).
        form=_("%(form)s for %(child)s") % {"form": form_page.title, "child": child} if child else form_page.title,
        child=child,
        council=dossier.council.official_name,
        link=dossier_link(dossier),
        corrections=correction_text(dossier) if event == NotificationEvent.CORRECTION_REQUESTED else "",
    )
    if event == NotificationEvent.CORRECTION_REQUESTED and "{corrections}" not in body:
        body = f"{body}\n\n{{corrections}}"  # a council's own text cannot leave out what to correct
    if child and "{child}" not in subject:
        subject = f"{subject} ({child})"
    subject = subject.format_map(values)
    body = body.format_map(values)
    if event == NotificationEvent.SUBMITTED and template is None and form_page.email_body:
        body = f"{form_page.email_body.format_map(values)}\n\n{body}"
    if event == NotificationEvent.SUBMITTED and dossier.qf is not None and not dossier.qf_source:
        # Whatever the council's text, the family learns that its typed QF is not yet applied.
        body = f"{body}\n\n{declared_qf_notice(dossier.qf)}"
    return " ".join(subject.split())[:200], body


def notification_queue(*, dossier: Dossier, event: str) -> NotificationLog | None:
    """Log and queue the email of ``event`` to the dossier's family (nothing when there is no address)."""
    recipient = dossier.family.email if dossier.family_id and dossier.family else dossier.contact_email
    if not recipient:
        return None
    log = NotificationLog.objects.create(dossier=dossier, event=event, recipient=recipient)
    notification_send.enqueue(log.pk)
    return log


def placeholders_help() -> str:
    return _("Available: %(names)s.") % {"names": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)}


@task()
def notification_send(log_pk: int) -> None:
    """Send one logged email; on failure, retry (up to ``MAX_ATTEMPTS``), then mark it failed."""
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


@task()
def household_invitation_send(invitation_pk: int, link: str) -> None:
    """Email the invitation to share a household (``link``: the absolute join link), out of the request."""
    invitation = HouseholdInvitation.objects.select_related("household__council").get(pk=invitation_pk)
    council = invitation.household.council
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Join a household on %(council)s's family portal") % {"council": council}
        body = _(
            "You have been invited to share a household on the family portal of %(council)s.\n\n"
            "Log in (or create your account) with this email address, then open this link:\n%(link)s\n"
        ) % {"council": council, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
