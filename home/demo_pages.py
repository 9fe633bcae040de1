"""Demo council pages: deliberations, internal rules in two versions and a tariff decree, per council.

Texts are written for the demo (fictitious councils), not copied from real documents. Idempotent: what
exists and matches is left alone, so running the demo twice makes no new page, version or revision.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from . import tariffs
from .blocks import stream_data_from_rule
from .models import (
    CouncilHomePage,
    DeliberationIndexPage,
    DeliberationLink,
    DeliberationPage,
    RulesPage,
    RulesPageDeliberation,
    TariffDecreeDeliberation,
    TariffDecreePage,
)
from .services import rules_version_publish
from .starter import upsert_page


@dataclass(frozen=True)
class DemoDeliberation:
    number: str
    session_date: date
    code: str
    label: str
    title: str
    subject: str
    decision: str
    votes: tuple[int, int, int]


DELIBERATIONS = [
    DemoDeliberation(
        number="2023-18",
        session_date=date(2023, 6, 26),
        code="8.1",
        label="Enseignement",
        title="Règlement intérieur des accueils périscolaires et de loisirs",
        subject="Adoption du règlement intérieur commun aux accueils périscolaires, à la restauration scolaire "
        "et à l'accueil de loisirs.",
        decision="<p>Le conseil municipal adopte le règlement intérieur annexé à la présente délibération. Il "
        "s'applique à compter du 1er septembre 2023.</p>",
        votes=(21, 0, 2),
    ),
    DemoDeliberation(
        number="2025-27",
        session_date=date(2025, 6, 30),
        code="8.1",
        label="Enseignement",
        title="Modification du règlement intérieur des accueils",
        subject="Modification du règlement intérieur : inscription en ligne, délais d'annulation, "
        "acceptation électronique du règlement.",
        decision="<p>Le conseil municipal approuve les modifications du règlement intérieur, applicables au "
        "1er septembre 2025, et autorise le maire à en assurer l'exécution.</p>",
        votes=(19, 2, 2),
    ),
    DemoDeliberation(
        number="2025-52",
        session_date=date(2025, 12, 15),
        code="7.10",
        label="Divers",
        title="Tarifs des services à l'enfance pour 2026",
        subject="Fixation des tarifs de la restauration scolaire, de l'accueil de loisirs, du multi-accueil "
        "et de l'adhésion annuelle à compter du 1er janvier 2026.",
        decision="<p>Le conseil municipal fixe les tarifs annexés, applique le taux d'effort à la restauration "
        "scolaire et les tranches de quotient familial à l'accueil de loisirs, et retient le barème national "
        "de la CNAF pour le multi-accueil.</p>",
        votes=(23, 0, 0),
    ),
]

# Each council numbers and dates its own deliberations: Bellerive's council met on other days than Valmont's
# (the demo's keys stay Valmont's numbers).
COUNCIL_NUMBERING = {
    "bellerive": {
        "2023-18": ("2023-041", date(2023, 7, 3)),
        "2025-27": ("2025-033", date(2025, 7, 7)),
        "2025-52": ("2025-078", date(2025, 12, 8)),
    },
}

RULES_V1 = """<h3>Article 1 – Objet</h3>
<p>Le présent règlement fixe les conditions d'accueil des enfants à la restauration scolaire, aux accueils
périscolaires du matin et du soir et à l'accueil de loisirs du mercredi et des vacances.</p>
<h3>Article 2 – Dossier famille</h3>
<p>Chaque année, avant la rentrée, la famille dépose un dossier complet : justificatif de domicile de moins de
trois mois, numéro d'allocataire CAF ou, à défaut, avis d'imposition, attestation d'assurance.</p>
<h3>Article 3 – Réservations et absences</h3>
<p>Les réservations se font au plus tard le jeudi de la semaine précédente. Une absence non signalée 48 heures
à l'avance est facturée, sauf sur présentation d'un certificat médical.</p>
<h3>Article 4 – Tarifs</h3>
<p>Les tarifs sont fixés par délibération du conseil municipal et calculés selon le quotient familial.</p>"""

RULES_V2 = """<h3>Article 1 – Objet</h3>
<p>Le présent règlement fixe les conditions d'accueil des enfants à la restauration scolaire, aux accueils
périscolaires du matin et du soir et à l'accueil de loisirs du mercredi et des vacances.</p>
<h3>Article 2 – Dossier famille en ligne</h3>
<p>Chaque année, la famille dépose son dossier sur le portail famille. Avec son accord, le quotient familial
peut être obtenu directement auprès de la CAF ou de la MSA ; sinon, elle joint son avis d'imposition.</p>
<h3>Article 3 – Réservations et annulations</h3>
<p>Les réservations et annulations se font sur le portail au plus tard 48 heures avant l'accueil. Une absence
non annulée dans ce délai est facturée, sauf raison médicale justifiée.</p>
<h3>Article 4 – Tarifs</h3>
<p>Les tarifs sont fixés par délibération du conseil municipal. Sans justificatif de ressources, le tarif
le plus élevé s'applique.</p>
<h3>Article 5 – Acceptation du règlement</h3>
<p>La famille accepte le présent règlement en ligne lors de chaque renouvellement du dossier ; toute nouvelle
version doit être acceptée de nouveau.</p>"""


def _siren(council: CouncilHomePage) -> str:
    return council.siret[:9]


def _deliberations(council: CouncilHomePage) -> dict[str, DeliberationPage]:
    index = upsert_page(
        council,
        DeliberationIndexPage,
        "deliberations",
        title="Délibérations",
        introduction="<p>Les délibérations du conseil municipal relatives à l'enfance et à la jeunesse.</p>",
        show_in_menus=True,
    )
    pages = {}
    for spec in DELIBERATIONS:
        number, session_date = COUNCIL_NUMBERING.get(council.slug, {}).get(
            spec.number, (spec.number, spec.session_date)
        )
        year, _sep, serial = number.partition("-")
        pages[spec.number] = upsert_page(
            index,
            DeliberationPage,
            f"deliberation-{number}",
            title=spec.title,
            number=number,
            session_date=session_date,
            nomenclature_code=spec.code,
            nomenclature_label=spec.label,
            subject=spec.subject,
            decision=spec.decision,
            votes_for=spec.votes[0],
            votes_against=spec.votes[1],
            abstentions=spec.votes[2],
            acknowledgement_id=f"021-{_siren(council)}-{session_date:%Y%m%d}-DELIB{year}-{serial}-DE",
            sent_on=session_date + timedelta(days=1),
            received_on=session_date + timedelta(days=1),
            published_on=session_date + timedelta(days=2),
        )
    return pages


def _rules(council: CouncilHomePage, deliberations: dict[str, DeliberationPage]) -> RulesPage:
    """The rules page with its two versions (2023 and 2025); left alone once both exist."""
    page = RulesPage.objects.child_of(council).filter(slug="reglement-interieur").first()
    if page is not None and page.versions.count() >= 2:
        return page
    if page is None:
        page = RulesPage(
            title="Règlement intérieur des accueils",
            slug="reglement-interieur",
            introduction="Ce règlement s'applique à la restauration scolaire, au périscolaire et à l'accueil de loisirs.",
            services="Restauration scolaire, accueils périscolaires, accueil de loisirs",
            adoption_date=deliberations["2023-18"].session_date,
            body=RULES_V1,
            effective_date=date(2023, 9, 1),
            show_in_menus=True,
        )
        page.deliberation_links = [
            RulesPageDeliberation(deliberation=deliberations["2023-18"], role=DeliberationLink.Role.ADOPTED)
        ]
        council.add_child(instance=page)
        _publish_rules_version(page, deliberations["2023-18"])  # version 1
    page = RulesPage.objects.get(pk=page.pk)
    page.body = RULES_V2
    page.effective_date = date(2025, 9, 1)
    page.adoption_date = deliberations["2025-27"].session_date
    page.deliberation_links = [
        RulesPageDeliberation(deliberation=deliberations["2023-18"], role=DeliberationLink.Role.ADOPTED),
        RulesPageDeliberation(deliberation=deliberations["2025-27"], role=DeliberationLink.Role.MODIFIED),
    ]
    _publish_rules_version(page, deliberations["2025-27"])  # version 2
    return page


def _publish_rules_version(page: RulesPage, deliberation: DeliberationPage) -> None:
    """Publish the page as a version dated like its deliberation (published then), not like today's demo run."""
    published_on = deliberation.published_on or deliberation.session_date
    rules_version_publish(
        rules_page=page,
        published_at=timezone.make_aware(datetime.combine(published_on, datetime.min.time().replace(hour=9))),
    )
    page.save_revision().publish()  # the same content: no further version


def _decree_rules() -> list[tariffs.Rule]:
    alsh = [
        (0, 400, "2.00"),
        (401, 700, "2.50"),
        (701, 800, "3.00"),
        (801, 1000, "7.00"),
        (1001, 1250, "9.00"),
        (1251, 1500, "11.00"),
        (1501, None, "14.00"),
    ]
    return [
        tariffs.EffortRateRule(
            key="cantine", label="Restauration scolaire", unit="meal", rate="0.36", floor="2.60", ceiling="4.50"
        ),
        tariffs.TrancheRule(
            key="alsh-journee",
            label="Accueil de loisirs, journée",
            unit="day",
            columns=(
                tariffs.Column("caf", "Allocataires CAF", (tariffs.QFCase.CAF,)),
                tariffs.Column(
                    "msa",
                    "MSA et non-allocataires",
                    (tariffs.QFCase.MSA, tariffs.QFCase.NON_ALLOCATAIRE, tariffs.QFCase.NO_PROOF),
                ),
            ),
            tranches=tuple(
                tariffs.Tranche(low, high, {"caf": Decimal(price), "msa": Decimal(price) + Decimal("0.50")})
                for low, high, price in alsh
            ),
        ),
        tariffs.PSURule(key="multi-accueil", label="Multi-accueil (crèche)", unit="hour", period="2026"),
        tariffs.FlatRule(key="adhesion", label="Adhésion annuelle", unit="year", price="10.00"),
    ]


def _decree(council: CouncilHomePage, deliberations: dict[str, DeliberationPage], *, surcharge: str):
    fields = {
        "title": "Tarifs 2026 des services à l'enfance",
        "reference": f"Délibération n° 2025-52 du 15 décembre 2025 de {council.official_name}",
        "valid_from": date(2026, 1, 1),
        "non_resident_surcharge": Decimal(surcharge),
        "introduction": "<p>Les prix ci-dessous s'appliquent du 1er janvier 2026 jusqu'à nouvelle délibération. "
        "Simulez votre tarif en bas de page.</p>",
        "show_in_menus": True,
    }
    services = [stream_data_from_rule(rule) for rule in _decree_rules()]
    page = TariffDecreePage.objects.child_of(council).filter(key="tarifs-2026").first()
    if page is None:
        page = TariffDecreePage(key="tarifs-2026", slug="tarifs-2026", **fields)
        page.services = services
        page.deliberation_links = [
            TariffDecreeDeliberation(deliberation=deliberations["2025-52"], role=DeliberationLink.Role.ADOPTED)
        ]
        council.add_child(instance=page)
    else:
        wanted = tariffs.Grid(reference="", services=tuple(_decree_rules()), non_resident_surcharge=surcharge)
        same_grid = (
            tariffs.grid_terms_to_dict(page.grid())["services"] == tariffs.grid_terms_to_dict(wanted)["services"]
        )
        changed = {name: value for name, value in fields.items() if getattr(page, name) != value}
        if same_grid and not changed and page.live and not page.has_unpublished_changes:
            return page
        for name, value in changed.items():
            setattr(page, name, value)
        page.services = services
    page.save_revision().publish()
    return page


def load_council_pages(council: CouncilHomePage, *, surcharge: str) -> None:
    """Deliberations (and their index), the internal rules in two versions and the 2026 tariffs."""
    deliberations = _deliberations(council)
    _rules(council, deliberations)
    _decree(council, deliberations, surcharge=surcharge)
