"""Council pages: each council's home page (its identity), content pages, deliberations, internal rules
(versioned, with their acceptances) and tariff decrees.

One module per subject: ``councils`` (the council's home page, standard pages), ``deliberations``,
``rules`` (versions, acceptances, the append-only base of evidence) and ``decrees`` (tariff decrees). The
models are imported here so that Django finds them under the app label ``home``, and so that
``from home.models import ...`` names any of them.
"""

from ..pages import ContentPage, EventIndexPage, EventPage, NewsIndexPage, NewsPage, NewsPageTag
from .councils import CouncilHomePage, CouncilKind, StandardPage, menu_link
from .decrees import TariffDecreeDeliberation, TariffDecreePage
from .deliberations import ACTES_SUBJECTS, DeliberationIndexPage, DeliberationLink, DeliberationPage
from .rules import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    RulesAcceptance,
    RulesArticleBlock,
    RulesPage,
    RulesPageDeliberation,
    RulesUpdateNotice,
    RulesVersion,
    safe_next_url,
)

__all__ = [
    "ACTES_SUBJECTS",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ContentPage",
    "CouncilHomePage",
    "CouncilKind",
    "DeliberationIndexPage",
    "DeliberationLink",
    "DeliberationPage",
    "EventIndexPage",
    "EventPage",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "RulesAcceptance",
    "RulesArticleBlock",
    "RulesPage",
    "RulesPageDeliberation",
    "RulesUpdateNotice",
    "RulesVersion",
    "StandardPage",
    "TariffDecreeDeliberation",
    "TariffDecreePage",
    "menu_link",
    "safe_next_url",
]
