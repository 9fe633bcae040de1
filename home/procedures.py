"""The council's online procedures ("Démarches en ligne") as the home page lists them.

``home`` never imports ``forms``: the app that owns the procedures answers the ``home_online_procedures``
hook, ``fn(council, now) -> Iterable[OnlineProcedure]``, and the home page asks every such hook.
"""

import datetime
from dataclasses import dataclass

from wagtail import hooks

OPENING_SOON = datetime.timedelta(days=60)


@dataclass(frozen=True)
class OnlineProcedure:
    title: str
    url: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    summary: str = ""

    def is_open(self, now: datetime.datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)


def online_procedures(*, council, now: datetime.datetime) -> tuple[list[OnlineProcedure], list[OnlineProcedure]]:
    """The procedures open now (closing soonest first) and those opening within ``OPENING_SOON``."""
    found = [procedure for fn in hooks.get_hooks("home_online_procedures") for procedure in fn(council, now)]
    open_now = sorted(
        (p for p in found if p.is_open(now)), key=lambda p: (p.closes_at is None, p.closes_at or now, p.title)
    )
    soon = sorted((p for p in found if p.opens_at and now < p.opens_at <= now + OPENING_SOON), key=lambda p: p.opens_at)
    return open_now, soon
