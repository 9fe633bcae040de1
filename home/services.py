"""Writes of the ``home`` app that other apps may call (public surface): rules versions and acceptances,
tariff quotes. Keyword-only, typed, explicit: views, admin, commands and the ``forms`` app call these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RulesAcceptance, RulesPage, RulesVersion
from .selectors import rules_version_in_force


@transaction.atomic
def rules_version_publish(*, rules_page: RulesPage, published_at=None) -> RulesVersion:
    """Freeze the live content of ``rules_page`` as a new numbered version, unless nothing changed.

    A version changes when the text shown to families or the effective date changes; republishing the same
    content returns the latest version (families do not have to accept it again).
    """
    # Lock the page row so that two concurrent publications cannot take the same number.
    RulesPage.objects.select_for_update().filter(pk=rules_page.pk).first()
    text = rules_page.frozen_text()
    digest = RulesVersion.hash_text(text)
    latest = RulesVersion.objects.filter(rules_page=rules_page).order_by("-number").first()
    if latest and latest.text_sha256 == digest and latest.effective_date == rules_page.effective_date:
        return latest
    return RulesVersion.objects.create(
        rules_page=rules_page,
        number=(latest.number + 1) if latest else 1,
        title=rules_page.title,
        effective_date=rules_page.effective_date,
        text=text,
        text_sha256=digest,
        published_at=published_at or timezone.now(),
    )


def rules_accept(
    *,
    rules_page: RulesPage,
    user,
    guardian_name: str,
    checkbox_label: str,
    ip_address: str | None,
    user_agent: str,
    version: RulesVersion | None = None,
) -> RulesAcceptance:
    """Record, as evidence, that ``user`` (guardian ``guardian_name``) accepted a version of the rules.

    ``version`` defaults to the one in force today; raises ``ValidationError`` when none is in force, when the
    version belongs to other rules, or when the account, the guardian's name or the checkbox label is missing.
    """
    if user is None or not user.is_authenticated:
        raise ValidationError(_("Only a logged-in family account can accept the rules."), code="anonymous")
    guardian_name = (guardian_name or "").strip()
    if not guardian_name:
        raise ValidationError(_("Give the name of the guardian who accepts the rules."), code="guardian_required")
    if not (checkbox_label or "").strip():
        raise ValidationError(_("The label of the acceptance checkbox is required as evidence."), code="label")
    if version is None:
        version = rules_version_in_force(rules_page=rules_page)
        if version is None:
            raise ValidationError(_("No version of these rules is in force yet."), code="no_version")
    elif version.rules_page_id != rules_page.pk:
        raise ValidationError(_("This version belongs to other rules."), code="wrong_version")
    return RulesAcceptance.objects.create(
        user=user,
        guardian_name=guardian_name[:255],
        rules_page=rules_page,
        version=version,
        version_number=version.number,
        text_sha256=version.text_sha256,
        checkbox_label=checkbox_label,
        accepted_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:1000],
    )
