"""What every rule kind shares: the household it prices, the quote it returns, the ``Rule`` base class
(with the registry of kinds, filled as each kind's module defines its class) and the sentences several
kinds write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from .values import (
    CENT,
    QF_SOURCE_CASES,
    QF_SOURCE_LABELS_FR,
    ROUNDING_DECIMAL_MODES,
    UNIT_LABELS_FR,
    NoProofPolicy,
    QFCase,
    QFSource,
    RoundingMode,
    TariffError,
    Unit,
    format_month_fr,
    format_number,
    to_decimal,
)


@dataclass(frozen=True)
class Household:
    """What the engine needs to know about a family.

    ``qf``: the quotient familial (an integer, as published by the CAF/MSA), with its ``qf_source`` and
    the month (``qf_month``, any day of it) it was valid for. ``monthly_resources``: the family's monthly
    resources in euros (PSU: year N-2 before deductions, divided by 12). ``proof``: whether the family
    gave a proof of income; without it the decree's no-proof policy applies. ``case``: which column case
    the family is (CAF, MSA, non-allocataire, no proof); when empty it follows from ``qf_source`` and
    ``proof``. ``residence``: why the family counts as resident or not (a French phrase, e.g. "adresse à
    Beaune (21054), hors des communes desservies"), shown in the explanation.
    """

    qf: int | None = None
    qf_source: QFSource | None = None
    qf_month: date | None = None
    resident: bool = True
    children: int = 1
    aeeh: int = 0
    monthly_resources: Decimal | None = None
    proof: bool = True
    case: QFCase | None = None
    residence: str = ""

    def __post_init__(self):
        if self.case:
            object.__setattr__(self, "case", QFCase(self.case))
        if self.qf is not None and (isinstance(self.qf, bool) or not isinstance(self.qf, int) or self.qf < 0):
            raise TariffError("Le quotient familial doit être un nombre entier positif ou nul.", field="qf")
        if self.children < 1:
            raise TariffError("Le nombre d'enfants à charge doit être d'au moins 1.", field="children")
        if self.aeeh < 0 or self.aeeh > self.children:
            raise TariffError(
                "Le nombre d'enfants bénéficiaires de l'AEEH doit être compris entre 0 et le nombre d'enfants "
                "à charge.",
                field="aeeh",
            )
        if self.monthly_resources is not None:
            resources = to_decimal(self.monthly_resources, field="resources")
            if resources < 0:
                raise TariffError("Les ressources mensuelles ne peuvent pas être négatives.", field="resources")
            object.__setattr__(self, "monthly_resources", resources)

    def qf_case(self) -> QFCase:
        """The column case of this family: no proof first, then the given case, then the QF's provider."""
        if not self.proof:
            return QFCase.NO_PROOF
        if self.case:
            return self.case
        if self.qf_source and QFSource(self.qf_source) in QF_SOURCE_CASES:
            return QF_SOURCE_CASES[QFSource(self.qf_source)]
        raise TariffError(
            "Précisez d'où vient le quotient familial (CAF, MSA ou avis d'imposition) : la colonne de prix en dépend.",
            field="case",
        )


@dataclass(frozen=True)
class Rounding:
    mode: RoundingMode = RoundingMode.HALF_UP
    quantum: Decimal = CENT

    def apply(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUNDING_DECIMAL_MODES[self.mode])


@dataclass(frozen=True)
class Quote:
    """A price and the French sentences that explain it."""

    amount: Decimal
    unit: Unit
    service_key: str
    service_label: str
    explanation: list[str]
    column: str = ""
    column_label: str = ""

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS_FR[self.unit]

    def as_dict(self) -> dict:
        return {
            "amount": f"{self.amount:f}",
            "currency": "EUR",
            "unit": str(self.unit),
            "unit_label": self.unit_label,
            "service": {"key": self.service_key, "label": self.service_label},
            "column": self.column,
            "column_label": self.column_label,
            "explanation": list(self.explanation),
        }


@dataclass
class Computation:
    """A rule's price before surcharge and rounding, with its explanation so far."""

    amount: Decimal
    steps: list[str]
    column: str = ""
    column_label: str = ""


# --- rules -------------------------------------------------------------------------------------


#: Every rule kind, by its ``kind`` (its JSON name).
RULE_KINDS: dict[str, type[Rule]] = {}


@dataclass(frozen=True)
class Rule:
    """A service of a decree and how its price is computed. Subclasses (one module per kind) add their
    parameters, their computation and their reading from JSON; defining one with a ``kind`` registers it."""

    key: str
    label: str
    unit: Unit

    kind: ClassVar[str] = ""
    #: Whether the decree's non-resident surcharge applies to this rule.
    allows_surcharge: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            RULE_KINDS[cls.kind] = cls

    @classmethod
    def from_params(cls, common: dict, data: dict) -> Rule:
        """The rule from its JSON shape: ``common`` (key, label, unit) and its own parameters in ``data``
        (a missing one raises ``KeyError``, a wrong one ``TypeError`` or ``ValueError``)."""
        raise NotImplementedError

    def __post_init__(self):
        if not self.key or not self.key.replace("-", "").replace("_", "").isalnum():
            raise TariffError(
                f"La clé de service « {self.key} » doit être faite de lettres, de chiffres, de tirets.",
                field="key",
            )
        object.__setattr__(self, "unit", Unit(self.unit))

    def compute(self, household: Household, *, no_proof: NoProofPolicy, column: str = "") -> Computation:
        raise NotImplementedError

    def bounds(self, *, column: str = "") -> tuple[Decimal, Decimal | None]:
        """The lowest and highest price before surcharge and rounding (``None``: no ceiling)."""
        raise NotImplementedError

    def params(self) -> dict:
        """The rule's own parameters, as JSON-ready values."""
        raise NotImplementedError

    def to_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "label": self.label, "unit": str(self.unit), **self.params()}

    def unit_fr(self) -> str:
        return UNIT_LABELS_FR[self.unit]


def qf_sentence(household: Household) -> str:
    details = []
    if household.qf_source:
        details.append(f"source : {QF_SOURCE_LABELS_FR[QFSource(household.qf_source)]}")
    if household.qf_month:
        details.append(f"mois de {format_month_fr(household.qf_month)}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Quotient familial retenu : {format_number(household.qf)}{suffix}."


def require_qf(household: Household) -> int:
    if household.qf is None:
        raise TariffError("Indiquez le quotient familial (ou l'absence de justificatif).", field="qf")
    return household.qf


def refuse_without_proof() -> TariffError:
    return TariffError(
        "Ce tarif ne peut pas être calculé sans justificatif de ressources : merci d'en fournir un.",
        field="proof",
        code="proof_required",
    )
