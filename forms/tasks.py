"""Background work of the ``forms`` app (Django tasks: immediate in tests, a worker in production)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def dossier_send_confirmation(dossier_pk: int) -> None:
    """Email the family that its dossier arrived: the reference and a link, never the answers."""
    from .models import Dossier

    dossier = Dossier.objects.select_related("form_page", "council", "family").get(pk=dossier_pk)
    page = dossier.form_page
    recipient = dossier.family.email if dossier.family else dossier.contact_email
    if not recipient:
        return
    values = {"reference": dossier.reference, "form": page.title}
    subject = (page.email_subject or _("Your dossier {reference} has been received")).format(**values)
    family_space = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("forms:family_space")
    body = render_to_string(
        "forms/emails/confirmation.txt",
        {
            "dossier": dossier,
            "custom_text": page.email_body.format(**values) if page.email_body else "",
            "family_space": family_space,
        },
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
