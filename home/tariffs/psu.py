"""The national PSU crèche barème of the CNAF (prestation de service unique)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .rule import Computation, Rule, refuse_without_proof
from .values import HUNDRED, NoProofPolicy, TariffError, format_date_fr, format_euros, format_percent

PSU_RATES = (
    (1, Decimal("0.0619")),
    (2, Decimal("0.0516")),
    (3, Decimal("0.0413")),
    (7, Decimal("0.0310")),  # 4 to 7 children
    (10, Decimal("0.0206")),  # 8 to 10 children (and more)
)
PSU_STEP_LABELS_FR = ("1 enfant", "2 enfants", "3 enfants", "4 à 7 enfants", "8 à 10 enfants")


@dataclass(frozen=True)
class PSUPeriod:
    """Monthly resources floor (plancher) and ceiling (plafond) of the PSU barème for a period."""

    key: str
    start: date
    end: date | None
    floor: Decimal
    ceiling: Decimal


PSU_PERIODS = {
    p.key: p
    for p in (
        PSUPeriod("2023", date(2023, 1, 1), date(2023, 12, 31), Decimal("754.16"), Decimal("6000")),
        PSUPeriod("2024-01", date(2024, 1, 1), date(2024, 8, 31), Decimal("765.77"), Decimal("6000")),
        PSUPeriod("2024-09", date(2024, 9, 1), date(2024, 12, 31), Decimal("765.77"), Decimal("7000")),
        PSUPeriod("2025-01", date(2025, 1, 1), date(2025, 8, 31), Decimal("801.00"), Decimal("7000")),
        PSUPeriod("2025-09", date(2025, 9, 1), date(2025, 12, 31), Decimal("801.00"), Decimal("8500")),
        PSUPeriod("2026", date(2026, 1, 1), None, Decimal("814.62"), Decimal("8500")),
    )
}


def psu_period_on(on: date) -> PSUPeriod | None:
    """The national PSU period in force on a date (``None`` before 2023)."""
    for period in PSU_PERIODS.values():
        if period.start <= on and (period.end is None or on <= period.end):
            return period
    return None


@dataclass(frozen=True)
class PSURule(Rule):
    """The national PSU crèche barème: monthly resources, clamped, x the rate for the children in charge.

    Each child receiving the AEEH moves the family one step down the scale (to the next lower rate).
    ``no_ceiling``: the council applies no ceiling to resources (the floor still applies).
    """

    period: str = "2026"
    no_ceiling: bool = False

    kind = "psu"
    # The national barème applies as published: no non-resident surcharge on a PSU price.
    allows_surcharge = False

    def __post_init__(self):
        super().__post_init__()
        if self.period not in PSU_PERIODS:
            raise TariffError(
                f"La période « {self.period} » du barème PSU n'existe pas (périodes : {', '.join(PSU_PERIODS)}).",
                field="period",
            )

    @property
    def psu_period(self) -> PSUPeriod:
        return PSU_PERIODS[self.period]

    @staticmethod
    def step_for(children: int, aeeh: int = 0) -> int:
        """Index in ``PSU_RATES`` for a household: by children in charge, one step down per AEEH child."""
        step = next((i for i, (up_to, _rate) in enumerate(PSU_RATES) if children <= up_to), len(PSU_RATES) - 1)
        return min(step + aeeh, len(PSU_RATES) - 1)

    def compute(self, household, *, no_proof, column=""):
        period = self.psu_period
        ceiling_text = "sans plafond" if self.no_ceiling else f"plafond de {format_euros(period.ceiling)}"
        steps = [
            f"Règle : barème national PSU de la CNAF (période à partir du {format_date_fr(period.start)}), "
            f"ressources mensuelles avec un plancher de {format_euros(period.floor)} et un {ceiling_text}, "
            f"prix {self.unit_fr()}."
        ]
        step = self.step_for(household.children, household.aeeh)
        base_step = self.step_for(household.children)
        rate = PSU_RATES[step][1]
        children_text = f"{household.children} enfant{'s' if household.children > 1 else ''} à charge"
        if household.aeeh:
            steps.append(
                f"{children_text}, dont {household.aeeh} bénéficiaire{'s' if household.aeeh > 1 else ''} de "
                f"l'AEEH : la famille descend de {step - base_step} rang{'s' if step - base_step > 1 else ''} "
                f"dans le barème, taux d'effort de {format_percent(rate)} (barème « {PSU_STEP_LABELS_FR[step]} »)."
            )
        else:
            steps.append(f"{children_text} : taux d'effort de {format_percent(rate)}.")
        if not household.proof:
            if no_proof == NoProofPolicy.REFUSE:
                raise refuse_without_proof()
            resources = period.ceiling
            steps.append(
                f"Sans justificatif de ressources, le plafond de ressources de {format_euros(resources)} s'applique."
            )
        else:
            if household.monthly_resources is None:
                raise TariffError("Indiquez les ressources mensuelles du foyer.", field="resources")
            declared = household.monthly_resources
            steps.append(f"Ressources mensuelles retenues : {format_euros(declared)}.")
            resources = declared
            if declared < period.floor:
                resources = period.floor
                steps.append(
                    f"Elles sont inférieures au plancher : le plancher de {format_euros(period.floor)} s'applique."
                )
            elif not self.no_ceiling and declared > period.ceiling:
                resources = period.ceiling
                steps.append(f"Elles dépassent le plafond : le plafond de {format_euros(period.ceiling)} s'applique.")
        amount = resources * rate / HUNDRED
        steps.append(f"Calcul : {format_euros(resources)} × {format_percent(rate)} = {format_euros(amount)}.")
        return Computation(amount, steps)

    def bounds(self, *, column=""):
        period = self.psu_period
        lowest = period.floor * PSU_RATES[-1][1] / HUNDRED
        highest = None if self.no_ceiling else period.ceiling * PSU_RATES[0][1] / HUNDRED
        return lowest, highest

    def params(self):
        period = self.psu_period
        return {
            "period": self.period,
            "no_ceiling": self.no_ceiling,
            "floor": f"{period.floor:f}",
            "ceiling": f"{period.ceiling:f}",
            "rates": [{"children_up_to": up_to, "rate": f"{rate:f}"} for up_to, rate in PSU_RATES],
        }

    @classmethod
    def from_params(cls, common, data):
        return cls(**common, period=data["period"], no_ceiling=bool(data.get("no_ceiling", False)))
