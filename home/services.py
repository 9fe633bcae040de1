"""Writes of the ``home`` app that other apps may call (public surface): rules versions and acceptances,
tariff quotes and decree imports. Keyword-only, typed, explicit: views, admin, commands and ``forms`` call these."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import tariffs
from .blocks import stream_data_from_rule
from .models import (
    DeliberationLink,
    DeliberationPage,
    RulesAcceptance,
    RulesPage,
    RulesVersion,
    TariffDecreeDeliberation,
    TariffDecreePage,
)
from .tasks import rules_update_notify


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
    version = RulesVersion.objects.create(
        rules_page=rules_page,
        number=(latest.number + 1) if latest else 1,
        title=rules_page.title,
        effective_date=rules_page.effective_date,
        text=text,
        text_sha256=digest,
        adopted_on=rules_page.adoption_date,
        published_at=published_at or timezone.now(),
    )
    if latest is not None:
        # Families who accepted an earlier version are told by email, once the publication is committed.
        transaction.on_commit(lambda: rules_update_notify.enqueue(version.pk))
    return version


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
    return rules_page.accept(
        user=user,
        guardian_name=guardian_name,
        checkbox_label=checkbox_label,
        ip_address=ip_address,
        user_agent=user_agent,
        version=version,
    )


def tariff_quote(*, decree: TariffDecreePage, service_key: str, household: tariffs.Household, column: str = ""):
    """The price of a service of ``decree`` for ``household``, explained (raises ``tariffs.TariffError``)."""
    return tariffs.quote(decree.grid(), service_key, household, column=column)


class TariffImportError(Exception):
    """The JSON cannot become a decree; the message says what to fix."""


@transaction.atomic
def tariff_decree_import(*, council, data: dict, publish: bool = True) -> tuple[TariffDecreePage, bool, list[str]]:
    """Create or update (by its ``key``) a decree of ``council`` from the JSON of docs/tariff-format.md.

    Returns the page, whether it was created, and warnings (e.g. deliberations not found on the site).
    """
    if not isinstance(data, dict) or data.get("format") != "portail-famille.tariff-decree":
        raise TariffImportError(_("This file is not a tariff decree in the portail-famille.tariff-decree format."))
    try:
        grid = tariffs.grid_from_dict(data)
    except tariffs.TariffError as error:
        raise TariffImportError(
            _("%(message)s (field “%(field)s”)") % {"message": error.message, "field": error.field}
        ) from None
    if grid.rounding.quantum != tariffs.CENT:
        raise TariffImportError(_("Only rounding to the cent (quantum 0.01) is supported."))
    missing = [name for name in ("key", "title", "reference", "valid_from") if not data.get(name)]
    if missing:
        raise TariffImportError(_("Required fields are missing: %(fields)s.") % {"fields": ", ".join(missing)})
    try:
        valid_from = date.fromisoformat(data["valid_from"])
        valid_to = date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None
    except (TypeError, ValueError):
        raise TariffImportError(_("Write the dates valid_from and valid_to as YYYY-MM-DD.")) from None
    fields = {
        "title": data["title"],
        "reference": data["reference"],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "non_resident_surcharge": grid.non_resident_surcharge,
        "no_proof_policy": str(grid.no_proof),
        "rounding_mode": str(grid.rounding.mode),
    }
    page = TariffDecreePage.objects.descendant_of(council).filter(key=data["key"]).first()
    created = page is None
    if created:
        page = TariffDecreePage(key=data["key"], slug=slugify(data["key"]), **fields)
        page.services = [stream_data_from_rule(rule) for rule in grid.services]
        council.add_child(instance=page)
    else:
        page = page.get_latest_revision_as_object()
        for name, value in fields.items():
            setattr(page, name, value)
        page.services = [stream_data_from_rule(rule) for rule in grid.services]
    warnings = _link_deliberations(page, council=council, entries=data.get("deliberations") or [])
    warnings += [
        _(
            "Service “%(key)s”: the file does not say which column applies to CAF, MSA, non-allocataire and "
            "no-proof families (applies_to); its prices cannot be computed until an editor says so."
        )
        % {"key": rule.key}
        for rule in grid.services
        if isinstance(rule, tariffs.TrancheRule) and not rule.mapped
    ]
    page.full_clean()
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page, created, warnings


def _link_deliberations(page: TariffDecreePage, *, council, entries: list) -> list[str]:
    numbers = [entry.get("number") for entry in entries if isinstance(entry, dict)]
    found = {d.number: d for d in DeliberationPage.objects.descendant_of(council).filter(number__in=numbers)}
    links, warnings = [], []
    for entry in entries:
        deliberation = found.get(entry.get("number"))
        if deliberation is None:
            warnings.append(
                _("Deliberation %(number)s is not on this council's site: link skipped.")
                % {"number": entry.get("number")}
            )
            continue
        role = entry.get("role") if entry.get("role") in DeliberationLink.Role.values else DeliberationLink.Role.ADOPTED
        links.append(TariffDecreeDeliberation(deliberation=deliberation, role=role))
    page.deliberation_links = links
    return warnings
