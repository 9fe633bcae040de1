"""A sent dossier's statuses: which may follow which, and the recorded move from one to the next.

Statuses (w.c.s. / Démarches Simplifiées): submitted -> under review -> correction requested, validated,
refused or closed; a correction request goes back to submitted when the family sends its corrections.
Every change is a ``DossierEvent`` (who, when, from, to, comment), public or internal, and the family is
told of the ones it must know (``notifications``). Agents' actions are in ``backoffice.workflow``; the
family's own (its corrections) in ``family.corrections``.
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Dossier, DossierEvent, DossierStatus, EventKind, NotificationEvent
from .notifications import notification_queue

logger = logging.getLogger(__name__)

S = DossierStatus

# Which status may follow which. Three arrivals need their own service (and are refused by the generic
# ``dossier_transition``): a correction request needs items, validation needs its conditions and
# prices, and only the family's corrections bring a dossier back to "submitted".
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.CLOSED},
    S.UNDER_REVIEW: {S.CORRECTION_REQUESTED, S.VALIDATED, S.REFUSED, S.CLOSED},
    S.CORRECTION_REQUESTED: {S.SUBMITTED, S.UNDER_REVIEW, S.CLOSED},
    S.VALIDATED: {S.CLOSED},
    S.REFUSED: set(),
    S.CLOSED: set(),
}
DEDICATED = {S.CORRECTION_REQUESTED, S.VALIDATED, S.SUBMITTED}
NOTIFIED = {
    S.SUBMITTED: NotificationEvent.SUBMITTED,
    S.CORRECTION_REQUESTED: NotificationEvent.CORRECTION_REQUESTED,
    S.VALIDATED: NotificationEvent.VALIDATED,
    S.REFUSED: NotificationEvent.REFUSED,
}


class TransitionRefused(ValidationError):
    """This status change is not allowed from where the dossier stands (or lacks what it needs)."""


def allowed_transitions(status: str) -> set[str]:
    return set(TRANSITIONS.get(status, set()))


def dossier_locked(dossier: Dossier) -> Dossier:
    """The dossier row, locked until the transaction ends (two agents cannot both move it)."""
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def dossier_move(
    *,
    dossier: Dossier,
    to: str,
    by,
    comment: str = "",
    visible_to_family: bool = True,
    kind: str = EventKind.TRANSITION,
    details: dict | None = None,
    extra_fields: Mapping[str, Any] | None = None,
) -> DossierEvent:
    """Check, save and record a status change (inside the caller's transaction), then notify the family."""
    current = dossier_locked(dossier)
    if to not in allowed_transitions(current.status):
        raise TransitionRefused(
            _("A dossier cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(current.status).label, "to": S(to).label},
            code="not_allowed",
        )
    from_status = current.status
    dossier.status = to
    fields = ["status", "updated_at"]
    for name, value in (extra_fields or {}).items():
        setattr(dossier, name, value)
        fields.append(name)
    dossier.save(update_fields=fields)
    event = DossierEvent.objects.create(
        dossier=dossier,
        actor=by,
        kind=kind,
        from_status=from_status,
        to_status=to,
        comment=comment,
        is_public=visible_to_family,
        details=details or {},
    )
    if to in NOTIFIED and visible_to_family:
        transaction.on_commit(lambda: notification_queue(dossier=dossier, event=NOTIFIED[to]))
    logger.info("Dossier %s: %s -> %s", dossier.reference, from_status, to)
    return event
