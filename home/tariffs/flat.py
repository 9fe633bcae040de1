"""A flat price, whatever the family's income."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rule import Computation, Rule
from .values import TariffError, format_euros, to_decimal


@dataclass(frozen=True)
class FlatRule(Rule):
    """A flat price, whatever the family's income (membership fee, outing...)."""

    price: Decimal = Decimal(0)

    kind = "flat"

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "price", to_decimal(self.price, field="price"))
        if self.price < 0:
            raise TariffError("Un prix ne peut pas être négatif.", field="price")

    def compute(self, household, *, no_proof, column=""):
        return Computation(self.price, [f"Règle : prix forfaitaire de {format_euros(self.price)} {self.unit_fr()}."])

    def bounds(self, *, column=""):
        return self.price, self.price

    def params(self):
        return {"price": f"{self.price:f}"}

    @classmethod
    def from_params(cls, common, data):
        return cls(**common, price=data["price"])
