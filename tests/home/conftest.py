"""Builders of council pages for the ``home`` tests: small ``make_*`` functions, published through Wagtail."""

from datetime import date

from home.models import DeliberationIndexPage, DeliberationPage


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_deliberation_index(council, **fields) -> DeliberationIndexPage:
    index = DeliberationIndexPage(title=fields.pop("title", "Délibérations"), slug=fields.pop("slug", "deliberations"))
    council.add_child(instance=index)
    return publish(index)


def make_deliberation(index, number: str, *, session_date=date(2025, 6, 27), code="7.10", **fields) -> DeliberationPage:
    page = DeliberationPage(
        title=fields.pop("title", f"Délibération {number}"),
        slug=fields.pop("slug", f"deliberation-{number.replace('/', '-')}"),
        number=number,
        session_date=session_date,
        nomenclature_code=code,
        subject=fields.pop("subject", "Tarifs des services périscolaires"),
        decision=fields.pop("decision", "<p>Le conseil municipal adopte les tarifs.</p>"),
        **fields,
    )
    index.add_child(instance=page)
    return publish(page)


def make_rules(council, *, slug="reglement-centre-social", effective_date=date(2025, 9, 1), **fields):
    from home.models import RulesPage

    page = RulesPage(
        title=fields.pop("title", "Règlement intérieur du centre social"),
        slug=slug,
        body=fields.pop("body", "<p>Article 1 : les familles inscrivent leurs enfants chaque année.</p>"),
        effective_date=effective_date,
        **fields,
    )
    council.add_child(instance=page)
    return publish(page)


def republish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    return publish(page)


def accept(rules_page, user, **fields):
    from home.services import rules_accept

    defaults = {
        "guardian_name": "Camille Martin",
        "checkbox_label": "J'ai lu et j'accepte le règlement.",
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (test)",
    }
    return rules_accept(rules_page=rules_page, user=user, **{**defaults, **fields})


def demo_rules():
    """The engine rules of a typical decree: canteen, a second canteen, ALSH tranches, PSU 2026, fee."""
    from decimal import Decimal as D

    from home import tariffs

    return [
        tariffs.EffortRateRule(
            key="cantine", label="Restauration scolaire", unit="meal", rate="0.36", floor="2.60", ceiling="4.50"
        ),
        tariffs.EffortRateRule(
            key="cantine-college", label="Cantine du collège", unit="meal", rate="0.36", floor="1.00", ceiling="5.97"
        ),
        tariffs.TrancheRule(
            key="alsh-journee",
            label="Accueil de loisirs, journée",
            unit="day",
            columns=(
                tariffs.Column("caf", "Allocataires CAF", ("caf",)),
                tariffs.Column("msa", "MSA ou non-allocataires", ("msa", "non_allocataire", "no_proof")),
            ),
            tranches=tuple(
                tariffs.Tranche(lo, hi, {"caf": D(caf), "msa": D(caf) + D("0.50")})
                for lo, hi, caf in [
                    (0, 400, "2.00"),
                    (401, 700, "2.50"),
                    (701, 800, "3.00"),
                    (801, 1000, "7.00"),
                    (1001, 1250, "9.00"),
                    (1251, 1500, "11.00"),
                    (1501, None, "14.00"),
                ]
            ),
        ),
        tariffs.PSURule(key="creche", label="Multi-accueil", unit="hour", period="2026"),
        tariffs.FlatRule(key="adhesion", label="Adhésion annuelle", unit="year", price="10.00"),
    ]


def make_decree(council, *, key="tarifs-2026", rules=None, valid_from=date(2026, 1, 1), **fields):
    from home.blocks import stream_data_from_rule
    from home.models import TariffDecreePage

    page = TariffDecreePage(
        title=fields.pop("title", "Tarifs 2026"),
        slug=fields.pop("slug", key),
        key=key,
        reference=fields.pop("reference", "Arrêté du maire n° 2025-112 du 30 juin 2025"),
        valid_from=valid_from,
        non_resident_surcharge=fields.pop("non_resident_surcharge", "15"),
        **fields,
    )
    page.services = [stream_data_from_rule(rule) for rule in (rules or demo_rules())]
    council.add_child(instance=page)
    return publish(page)
