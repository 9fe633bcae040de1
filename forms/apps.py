from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    """Registration forms and what they produce.

    Owns form pages built by editors (steps, fields, conditions, repeatable groups), families' drafts
    and submitted dossiers, the family space, the agents' back-office, exports and notifications. Uses
    ``home`` (rules acceptance, tariffs) and ``connectors`` (prefill) through their public services.
    """

    name = "forms"
    label = "forms"
    verbose_name = _("Registration forms")

    def ready(self):
        from .family import signals  # needs the app registry: imported once apps are ready

        signals.connect()
