from django.apps import AppConfig
from django.urls import register_converter
from django.urls.converters import IntConverter
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The councils' public site.

    Owns each council's identity (``CouncilHomePage``, one Wagtail ``Site`` per council), its content
    pages, its deliberations, its versioned internal rules and their electronic acceptances, its tariff
    decrees and the tariff engine that computes and explains prices. Imports neither ``forms`` nor
    ``connectors``.
    """

    name = "home"
    label = "home"
    verbose_name = _("Council pages")

    def ready(self):
        # Imported here because Django requires it: models and Wagtail's page models exist only once the
        # app registry is ready.
        from wagtail.signals import page_published

        from . import routing
        from .models import RulesPage

        # ``<id:...>`` in URLs: a database id (at most 18 digits, below SQLite's and PostgreSQL's 2^63).
        register_converter(DatabaseIdConverter, "id")
        # Every way of publishing (editor, scheduled publication, workflow, command) sends this signal;
        # the receiver only calls the explicit service, which is where the versioning logic lives.
        page_published.connect(_freeze_rules_version, sender=RulesPage, dispatch_uid="home_rules_version")
        routing.connect_signals()


class DatabaseIdConverter(IntConverter):
    """An integer that fits a database id: a longer number is a 404, never an overflow (a 500)."""

    regex = "[0-9]{1,18}"


def _freeze_rules_version(sender, instance, **kwargs):
    # Imported here because Django requires it: this module is imported before the models exist.
    from .services import rules_version_publish

    rules_version_publish(rules_page=instance)
