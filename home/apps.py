from django.apps import AppConfig
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
