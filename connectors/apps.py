from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    """Data exchanges with the State's APIs.

    Owns the API Particulier connector: DataPass authorisations (habilitations), the family's consent,
    the HTTP client (the only module that imports httpx), prefill providers and their provenance, the
    audit log of calls, and a local simulator of the API. May import ``home`` (the council), never
    ``forms``.
    """

    name = "connectors"
    label = "connectors"
    verbose_name = _("Data connectors")
