"""Taux d'effort: a percentage of the QF, between a floor and a ceiling."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rule import Computation, Rule, qf_sentence, refuse_without_proof, require_qf
from .values import HUNDRED, NoProofPolicy, TariffError, format_euros, format_number, format_percent, to_decimal


@dataclass(frozen=True)
class EffortRateRule(Rule):
    """Taux d'effort: price = QF x rate (per cent), clamped to [floor, ceiling]."""

    rate: Decimal = Decimal(0)
    floor: Decimal = Decimal(0)
    ceiling: Decimal = Decimal(0)

    kind = "effort_rate"

    def __post_init__(self):
        super().__post_init__()
        for name in ("rate", "floor", "ceiling"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), field=name))
        if self.rate <= 0:
            raise TariffError("Le taux d'effort doit être positif.", field="rate")
        if self.floor < 0:
            raise TariffError("Le plancher ne peut pas être négatif.", field="floor")
        if self.ceiling < self.floor:
            raise TariffError("Le plafond doit être supérieur ou égal au plancher.", field="ceiling")

    def compute(self, household, *, no_proof, column=""):
        steps = [
            f"Règle : taux d'effort de {format_percent(self.rate)} appliqué au quotient familial, avec un "
            f"plancher de {format_euros(self.floor)} et un plafond de {format_euros(self.ceiling)} "
            f"{self.unit_fr()}."
        ]
        if not household.proof:
            if no_proof == NoProofPolicy.REFUSE:
                raise refuse_without_proof()
            steps.append(f"Sans justificatif de ressources, le plafond de {format_euros(self.ceiling)} s'applique.")
            return Computation(self.ceiling, steps)
        qf = require_qf(household)
        steps.append(qf_sentence(household))
        raw = Decimal(qf) * self.rate / HUNDRED
        steps.append(f"Calcul : {format_number(qf)} × {format_percent(self.rate)} = {format_euros(raw)}.")
        if raw < self.floor:
            steps.append(
                f"Ce montant est inférieur au plancher : le plancher de {format_euros(self.floor)} s'applique."
            )
            return Computation(self.floor, steps)
        if raw > self.ceiling:
            steps.append(f"Ce montant dépasse le plafond : le plafond de {format_euros(self.ceiling)} s'applique.")
            return Computation(self.ceiling, steps)
        steps.append("Ce montant est compris entre le plancher et le plafond.")
        return Computation(raw, steps)

    def bounds(self, *, column=""):
        return self.floor, self.ceiling

    def params(self):
        return {"rate": f"{self.rate:f}", "floor": f"{self.floor:f}", "ceiling": f"{self.ceiling:f}"}

    @classmethod
    def from_params(cls, common, data):
        return cls(**common, rate=data["rate"], floor=data["floor"], ceiling=data["ceiling"])
