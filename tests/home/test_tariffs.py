"""The tariff engine (plain Python): real figures of published decrees, explanations, property tests."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from home.blocks import TariffServicesBlock
from home.tariffs import (
    PSU_PERIODS,
    RULE_KINDS,
    Column,
    EffortRateRule,
    FlatRule,
    Grid,
    Household,
    NoProofPolicy,
    PSURule,
    QFSource,
    Rounding,
    RoundingMode,
    TariffError,
    Tranche,
    TrancheProblem,
    TrancheRule,
    grid_from_dict,
    grid_terms_to_dict,
    psu_period_on,
    quote,
    rule_from_dict,
    tranche_problems,
)

D = Decimal


def canteen(floor="2.60", ceiling="4.50") -> EffortRateRule:
    return EffortRateRule(
        key="cantine", label="Restauration scolaire", unit="meal", rate="0.36", floor=floor, ceiling=ceiling
    )


ALSH_TRANCHES = [
    (0, 400, "2.00", "2.50"),
    (401, 700, "2.50", "3.00"),
    (701, 800, "3.00", "3.50"),
    (801, 1000, "7.00", "8.00"),
    (1001, 1250, "9.00", "10.00"),
    (1251, 1500, "11.00", "12.00"),
    (1501, None, "14.00", "15.00"),
]


def alsh() -> TrancheRule:
    return TrancheRule(
        key="alsh-journee",
        label="Accueil de loisirs, journée",
        unit="day",
        columns=(
            Column("caf", "Allocataires CAF", ("caf",)),
            Column("msa", "MSA ou non-allocataires", ("msa", "non_allocataire", "no_proof")),
        ),
        tranches=tuple(Tranche(lo, hi, {"caf": D(caf), "msa": D(msa)}) for lo, hi, caf, msa in ALSH_TRANCHES),
    )


def psu(period="2026", no_ceiling=False) -> PSURule:
    return PSURule(key="creche", label="Multi-accueil", unit="hour", period=period, no_ceiling=no_ceiling)


def grid(*rules, surcharge="0", no_proof=NoProofPolicy.MAXIMUM, rounding=None) -> Grid:
    return Grid(
        reference="arrêté n° 2026-12 du 15 juin 2026",
        services=rules
        or (canteen(), alsh(), psu(), FlatRule(key="adhesion", label="Adhésion", unit="year", price="10")),
        non_resident_surcharge=surcharge,
        no_proof=no_proof,
        rounding=rounding or Rounding(),
    )


# --- real figures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qf", "expected"),
    [
        # 700 x 0.36 % = 2.52, below the 2.60 floor: the floor applies (the "2.52" ignores the floor).
        (700, "2.60"),
        (500, "2.60"),
        (722, "2.60"),
        (723, "2.60"),  # 2.6028 rounds to 2.60
        (1000, "3.60"),
        (1250, "4.50"),
        (1400, "4.50"),
    ],
)
def test_canteen_effort_rate_with_floor_and_ceiling(qf, expected):
    assert quote(grid(), "cantine", Household(qf=qf)).amount == D(expected)


@pytest.mark.parametrize(("qf", "expected"), [(700, "2.52"), (200, "1.00"), (1400, "5.04"), (2000, "5.97")])
def test_other_canteen_floor_1_ceiling_5_97(qf, expected):
    assert quote(grid(canteen("1.00", "5.97")), "cantine", Household(qf=qf)).amount == D(expected)


def test_psu_2026_one_child_3000_euros_is_1_86_an_hour():
    result = quote(grid(), "creche", Household(monthly_resources=D("3000"), children=1))
    assert result.amount == D("1.86")
    assert result.unit == "hour"
    assert "Calcul : 3\u00a0000,00\u00a0€ × 0,0619\u00a0% = 1,857\u00a0€." in result.explanation


@pytest.mark.parametrize(
    ("children", "aeeh", "rate"),
    [
        (1, 0, "0.0619"),
        (2, 0, "0.0516"),
        (3, 0, "0.0413"),
        (4, 0, "0.0310"),
        (7, 0, "0.0310"),
        (8, 0, "0.0206"),
        (10, 0, "0.0206"),
        (12, 0, "0.0206"),
        (1, 1, "0.0516"),
        (2, 1, "0.0413"),
        (3, 2, "0.0206"),
        (8, 1, "0.0206"),
    ],
)
def test_psu_rate_by_children_and_one_step_down_per_aeeh_child(children, aeeh, rate):
    result = quote(grid(), "creche", Household(monthly_resources=D("5000"), children=children, aeeh=aeeh))
    assert result.amount == (D(5000) * D(rate) / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_psu_floor_ceiling_and_no_ceiling():
    assert quote(grid(), "creche", Household(monthly_resources=D("100"))).amount == D("0.50")  # 814.62 x 0.0619 %
    assert quote(grid(), "creche", Household(monthly_resources=D("20000"))).amount == D("5.26")  # 8500 x 0.0619 %
    unbounded = grid(psu(no_ceiling=True))
    assert quote(unbounded, "creche", Household(monthly_resources=D("20000"))).amount == D("12.38")


def test_psu_periods_follow_the_published_floors_and_ceilings():
    assert (PSU_PERIODS["2023"].floor, PSU_PERIODS["2023"].ceiling) == (D("754.16"), D("6000"))
    assert psu_period_on(date(2024, 8, 31)).ceiling == D("6000")
    assert psu_period_on(date(2024, 9, 1)).ceiling == D("7000")
    assert psu_period_on(date(2025, 8, 31)).floor == D("801.00")
    assert psu_period_on(date(2025, 9, 1)).ceiling == D("8500")
    assert psu_period_on(date(2026, 3, 1)).key == "2026"
    assert psu_period_on(date(2022, 12, 31)) is None
    result = quote(grid(psu("2024-09")), "creche", Household(monthly_resources=D("9000")))
    assert result.amount == D("4.33")  # 7000 x 0.0619 %


def test_psu_ignores_the_non_resident_surcharge():
    result = quote(grid(surcharge="15"), "creche", Household(monthly_resources=D("3000"), resident=False))
    assert result.amount == D("1.86")
    assert any("ne prévoit pas de majoration" in s for s in result.explanation)


@pytest.mark.parametrize(
    ("qf", "caf", "msa"),
    [
        (0, "2.00", "2.50"),
        (400, "2.00", "2.50"),
        (401, "2.50", "3.00"),
        (700, "2.50", "3.00"),
        (701, "3.00", "3.50"),
        (800, "3.00", "3.50"),
        (801, "7.00", "8.00"),
        (1000, "7.00", "8.00"),
        (1001, "9.00", "10.00"),
        (1250, "9.00", "10.00"),
        (1251, "11.00", "12.00"),
        (1500, "11.00", "12.00"),
        (1501, "14.00", "15.00"),
        (9999, "14.00", "15.00"),
    ],
)
def test_alsh_tranche_grid_boundaries_inclusive_as_published(qf, caf, msa):
    assert quote(grid(), "alsh-journee", Household(qf=qf, qf_source=QFSource.CNAF)).amount == D(caf)
    assert quote(grid(), "alsh-journee", Household(qf=qf, qf_source=QFSource.MSA)).amount == D(msa)
    assert quote(grid(), "alsh-journee", Household(qf=qf), column="caf").amount == D(caf)
    assert quote(grid(), "alsh-journee", Household(qf=qf), column="msa").amount == D(msa)


def test_non_resident_surcharge_then_rounding_half_up():
    result = quote(grid(surcharge="15"), "alsh-journee", Household(qf=500, qf_source=QFSource.CNAF, resident=False))
    assert result.amount == D("2.88")  # 2.50 x 1.15 = 2.875 -> 2.88
    assert "Famille non résidente : majoration de 15\u00a0%, 2,50\u00a0€ × 1,15 = 2,875\u00a0€." in result.explanation
    assert any(s.startswith("Arrondi au centime le plus proche") for s in result.explanation)
    assert quote(grid(surcharge="15"), "adhesion", Household(resident=False)).amount == D("11.50")


def test_other_rounding_modes():
    household = Household(qf=500, qf_source=QFSource.CNAF, resident=False)
    assert quote(grid(surcharge="15", rounding=Rounding(RoundingMode.DOWN)), "alsh-journee", household).amount == D(
        "2.87"
    )
    assert quote(
        grid(surcharge="15", rounding=Rounding(RoundingMode.HALF_EVEN)), "alsh-journee", household
    ).amount == D("2.88")
    assert quote(
        grid(surcharge="15", rounding=Rounding(RoundingMode.UP, D("0.1"))), "alsh-journee", household
    ).amount == D("2.9")


def test_without_proof_the_maximum_applies():
    household = Household(proof=False)
    assert quote(grid(), "cantine", household).amount == D("4.50")
    assert quote(grid(), "alsh-journee", household, column="msa").amount == D("15.00")
    assert quote(grid(), "alsh-journee", household).amount == D("15.00")  # the decree maps no proof to "msa"
    assert quote(grid(), "creche", household).amount == D("5.26")
    assert any("Sans justificatif" in s for s in quote(grid(), "cantine", household).explanation)


def test_msa_family_outside_the_commune_pays_the_msa_column_plus_15_percent():
    # Issue 12: QF 410 from the MSA falls in 401-700 (CAF 2.50, MSA 3.00); non-resident: 3.00 x 1.15 = 3.45.
    household = Household(qf=410, qf_source=QFSource.MSA, resident=False, residence="adresse à Beaune (21054)")
    result = quote(grid(surcharge="15"), "alsh-journee", household)
    assert result.amount == D("3.45")
    assert result.column == "msa"
    assert result.column_label == "MSA ou non-allocataires"
    assert "Colonne appliquée : « MSA ou non-allocataires », celle des familles allocataires MSA." in result.explanation
    assert (
        "Famille non résidente (adresse à Beaune (21054)) : majoration de 15\u00a0%, 3,00\u00a0€ × 1,15 = 3,45\u00a0€."
        in result.explanation
    )


@pytest.mark.parametrize(
    ("household", "column"),
    [
        (Household(qf=410, qf_source=QFSource.CNAF), "caf"),
        (Household(qf=410, qf_source=QFSource.MSA), "msa"),
        (Household(qf=410, qf_source=QFSource.TAX_NOTICE), "msa"),
        (Household(qf=410, qf_source=QFSource.AGENT, case="non_allocataire"), "msa"),
        (Household(qf=410, qf_source=QFSource.CNAF, proof=False), "msa"),
    ],
)
def test_the_column_follows_the_qf_provider_as_the_decree_maps_it(household, column):
    assert quote(grid(), "alsh-journee", household).column == column


def test_no_default_column_when_the_provider_is_unknown():
    with pytest.raises(TariffError) as error:
        quote(grid(), "alsh-journee", Household(qf=410, qf_source=QFSource.AGENT))
    assert error.value.field == "case"


def test_a_grid_that_leaves_a_case_unmapped_is_refused_and_older_unmapped_grids_say_so_when_priced():
    tranches = (Tranche(0, None, {"a": D("1"), "b": D("2")}),)
    with pytest.raises(TariffError, match="Aucune colonne ne s'applique aux familles allocataires MSA"):
        TrancheRule(
            key="x",
            label="X",
            unit="day",
            columns=(Column("a", "A", ("caf",)), Column("b", "B", ("non_allocataire", "no_proof"))),
            tranches=tranches,
        )
    legacy = TrancheRule(
        key="x", label="X", unit="day", columns=(Column("a", "A"), Column("b", "B")), tranches=tranches
    )
    assert not legacy.mapped
    with pytest.raises(TariffError) as error:
        legacy.compute(Household(qf=1, qf_source=QFSource.CNAF), no_proof=NoProofPolicy.MAXIMUM)
    assert error.value.code == "column_unmapped"


def test_without_proof_a_refusing_decree_raises_naming_proof():
    with pytest.raises(TariffError) as error:
        quote(grid(no_proof=NoProofPolicy.REFUSE), "cantine", Household(proof=False))
    assert error.value.field == "proof"


def test_explanation_names_decree_rule_inputs_clamping_and_amount():
    household = Household(qf=1400, qf_source=QFSource.MSA, qf_month=date(2026, 1, 1))
    explanation = quote(grid(), "cantine", household).explanation
    assert explanation[0] == "Tarif fixé par : arrêté n° 2026-12 du 15 juin 2026."
    assert "Quotient familial retenu : 1\u00a0400 (source : MSA, mois de janvier 2026)." in explanation
    assert "Ce montant dépasse le plafond : le plafond de 4,50\u00a0€ s'applique." in explanation
    assert explanation[-1] == "Montant : 4,50\u00a0€ par repas."


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: quote(grid(), "piscine", Household(qf=1)), "service"),
        (lambda: quote(grid(), "cantine", Household()), "qf"),
        (lambda: quote(grid(), "creche", Household()), "resources"),
        (lambda: quote(grid(), "alsh-journee", Household(qf=1), column="ccas"), "column"),
        (lambda: Household(qf=-1), "qf"),
        (lambda: Household(children=0), "children"),
        (lambda: Household(children=1, aeeh=2), "aeeh"),
        (lambda: Household(monthly_resources="abc"), "resources"),
        (lambda: grid(surcharge="15.01"), "non_resident_surcharge"),
        (lambda: grid(surcharge="-1"), "non_resident_surcharge"),
        (lambda: grid(canteen(), canteen()), "services"),
        (lambda: canteen("5", "4"), "ceiling"),
        (lambda: psu("2019"), "period"),
    ],
)
def test_bad_inputs_raise_naming_the_field(call, field):
    with pytest.raises(TariffError) as error:
        call()
    assert error.value.field == field


@pytest.mark.parametrize(
    ("bounds", "problem"),
    [
        ([], TrancheProblem.EMPTY),
        ([(1, None)], TrancheProblem.FIRST_NOT_ZERO),
        ([(0, 400), (402, None)], TrancheProblem.GAP),
        ([(0, 400), (400, None)], TrancheProblem.OVERLAP),
        ([(0, 700), (401, 800), (801, None)], TrancheProblem.OVERLAP),
        ([(0, None), (401, None)], TrancheProblem.OPEN_NOT_LAST),
        ([(0, 400), (401, 700)], TrancheProblem.LAST_NOT_OPEN),
        ([(0, 400), (401, 300), (301, None)], TrancheProblem.MAX_BELOW_MIN),
    ],
)
def test_tranche_validation(bounds, problem):
    tranches = [Tranche(lo, hi, {"standard": D(1)}) for lo, hi in bounds]
    assert problem in [p for _i, p in tranche_problems(tranches, ["standard"])]
    with pytest.raises(TariffError):
        TrancheRule(key="x", label="x", unit="day", tranches=tuple(tranches))


def test_tranche_prices_never_decrease_with_qf():
    tranches = [Tranche(0, 400, {"standard": D(3)}), Tranche(401, None, {"standard": D(2)})]
    assert tranche_problems(tranches, ["standard"]) == [(1, TrancheProblem.DECREASING_PRICE)]


def test_tranche_missing_price_in_a_column():
    tranches = [Tranche(0, None, {"caf": D(1)})]
    assert tranche_problems(tranches, ["caf", "msa"]) == [(0, TrancheProblem.MISSING_PRICE)]


def test_grid_json_round_trip():
    original = grid(surcharge="12.5", rounding=Rounding(RoundingMode.HALF_EVEN))
    data = grid_terms_to_dict(original)
    assert grid_terms_to_dict(grid_from_dict(data, reference=original.reference)) == data
    assert data["services"][0] == {
        "key": "cantine",
        "kind": "effort_rate",
        "label": "Restauration scolaire",
        "unit": "meal",
        "rate": "0.36",
        "floor": "2.60",
        "ceiling": "4.50",
    }


def test_every_rule_kind_reads_back_its_own_json_and_has_its_block_in_the_decree_page():
    samples = [
        canteen(),
        alsh(),
        psu(no_ceiling=True),
        FlatRule(key="adhesion", label="Adhésion", unit="year", price="15"),
    ]
    assert {rule.kind for rule in samples} == set(RULE_KINDS)
    for rule in samples:
        assert RULE_KINDS[rule.kind] is type(rule)
        assert rule_from_dict(rule.to_dict()) == rule
    assert set(TariffServicesBlock.base_blocks) == set(RULE_KINDS)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"services": [{"kind": "magic", "key": "a", "label": "a", "unit": "day"}]}, "kind"),
        ({"services": [{"kind": "flat", "key": "a", "label": "a", "unit": "week", "price": "1"}]}, "unit"),
        ({"services": [{"kind": "flat", "key": "a", "label": "a", "unit": "day"}]}, "price"),
        ({"services": [], "rounding": {"mode": "banker"}}, "rounding"),
        ({"services": [], "no_proof": "free"}, "no_proof"),
        ({"services": [], "non_resident_surcharge": "20"}, "non_resident_surcharge"),
    ],
)
def test_grid_from_bad_json(data, field):
    with pytest.raises(TariffError) as error:
        grid_from_dict(data)
    assert error.value.field == field


# --- properties --------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=50, places=2)
qfs = st.integers(min_value=0, max_value=10_000)
surcharges = st.decimals(min_value=0, max_value=15, places=2)


@st.composite
def effort_rules(draw):
    floor = draw(money)
    ceiling = draw(st.decimals(min_value=floor, max_value=floor + 50, places=2))
    rate = draw(st.decimals(min_value=D("0.01"), max_value=D("5"), places=3))
    return EffortRateRule(key="r", label="r", unit="meal", rate=rate, floor=floor, ceiling=ceiling)


@st.composite
def tranche_rules(draw):
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=5000), max_size=8)))
    starts = [0, *cuts]
    prices = sorted(draw(st.lists(money, min_size=len(starts), max_size=len(starts))))
    tranches = tuple(
        Tranche(start, starts[i + 1] - 1 if i + 1 < len(starts) else None, {"standard": prices[i]})
        for i, start in enumerate(starts)
    )
    return TrancheRule(key="r", label="r", unit="day", tranches=tranches)


def _within_bounds(rule, surcharge, household):
    terms = grid(rule, surcharge=surcharge)
    amount = quote(terms, "r", household).amount
    low, high = rule.bounds()
    applied = terms.surcharge_for(rule)
    top = high * (1 + applied / 100)
    # Rounding is monotone, so the rounded price stays between the rounded bounds.
    assert terms.rounding.apply(low) <= amount <= terms.rounding.apply(top)


@given(rule=effort_rules(), qf=qfs, surcharge=surcharges, resident=st.booleans(), proof=st.booleans())
def test_effort_rate_price_stays_within_floor_and_surcharged_ceiling(rule, qf, surcharge, resident, proof):
    _within_bounds(rule, surcharge, Household(qf=qf, resident=resident, proof=proof))


@given(rule=tranche_rules(), qf=qfs, surcharge=surcharges, resident=st.booleans(), proof=st.booleans())
def test_tranche_price_stays_within_lowest_and_surcharged_highest(rule, qf, surcharge, resident, proof):
    _within_bounds(rule, surcharge, Household(qf=qf, resident=resident, proof=proof))


@given(
    resources=st.decimals(min_value=0, max_value=30_000, places=2),
    children=st.integers(min_value=1, max_value=12),
    data=st.data(),
    period=st.sampled_from(sorted(PSU_PERIODS)),
)
def test_psu_price_stays_within_the_barème(resources, children, data, period):
    aeeh = data.draw(st.integers(min_value=0, max_value=children))
    _within_bounds(
        PSURule(key="r", label="r", unit="hour", period=period),
        "15",
        Household(monthly_resources=resources, children=children, aeeh=aeeh, resident=False),
    )


@given(rule=effort_rules(), qf=qfs, delta=st.integers(min_value=0, max_value=5000), resident=st.booleans())
def test_effort_rate_never_decreases_when_qf_increases(rule, qf, delta, resident):
    terms = grid(rule, surcharge="10")
    lower = quote(terms, "r", Household(qf=qf, resident=resident)).amount
    assert quote(terms, "r", Household(qf=qf + delta, resident=resident)).amount >= lower


@given(rule=tranche_rules(), qf=qfs, delta=st.integers(min_value=0, max_value=5000), resident=st.booleans())
def test_tranche_price_never_decreases_when_qf_increases(rule, qf, delta, resident):
    terms = grid(rule, surcharge="10")
    lower = quote(terms, "r", Household(qf=qf, resident=resident)).amount
    assert quote(terms, "r", Household(qf=qf + delta, resident=resident)).amount >= lower


@given(rule=tranche_rules(), data=st.data())
def test_published_tranche_boundaries_are_inclusive(rule, data):
    tranche = data.draw(st.sampled_from(rule.tranches))
    edge = data.draw(st.sampled_from([tranche.qf_min, tranche.qf_max if tranche.qf_max is not None else 10**6]))
    assert quote(grid(rule), "r", Household(qf=edge)).amount == tranche.prices["standard"]


@given(rule=tranche_rules(), qf=qfs)
def test_without_proof_a_tranche_grid_charges_its_top_tranche(rule, qf):
    assert quote(grid(rule), "r", Household(qf=qf, proof=False)).amount == rule.tranches[-1].prices["standard"]
