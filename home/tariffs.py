"""The tariff engine: prices of council services, computed from a decree and explained step by step.

Plain Python on purpose (no Django import): it takes plain values (a ``Grid`` read from a decree, a
``Household``) and returns a ``Quote`` whose ``explanation`` says, sentence by sentence, which decree,
which rule, which inputs, which clamping, which surcharge and which rounding produced the amount.
Money is ``Decimal`` throughout.

Language: because this module cannot use Django's translation machinery, its explanation sentences and
error messages are written directly in French. This is the one place of the project where French
source strings are accepted; everything else uses English source strings translated in ``locale/``.

The JSON shape of a grid (``grid_to_dict`` / ``grid_from_dict``) is documented in docs/tariff-format.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_NON_RESIDENT_SURCHARGE = Decimal(15)  # per cent: the CAF's rule for the centres it co-funds


class TariffError(ValueError):
    """A rule, a grid or a household that the engine cannot price; ``field`` names the faulty input."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class Unit(enum.StrEnum):
    MEAL = "meal"
    HOUR = "hour"
    HALF_DAY = "half_day"
    DAY = "day"
    YEAR = "year"
    ACTIVITY = "activity"


UNIT_LABELS_FR = {
    Unit.MEAL: "par repas",
    Unit.HOUR: "de l'heure",
    Unit.HALF_DAY: "par demi-journée",
    Unit.DAY: "par journée",
    Unit.YEAR: "par an",
    Unit.ACTIVITY: "par activité",
}


class QFSource(enum.StrEnum):
    CNAF = "cnaf"
    MSA = "msa"
    TAX_NOTICE = "tax_notice"
    AGENT = "agent"


QF_SOURCE_LABELS_FR = {
    QFSource.CNAF: "CNAF (CAF)",
    QFSource.MSA: "MSA",
    QFSource.TAX_NOTICE: "avis d'imposition",
    QFSource.AGENT: "saisie par un agent",
}


class QFCase(enum.StrEnum):
    """Where a family's QF comes from, as a decree's columns name it: each column says which cases it prices."""

    CAF = "caf"  # allocataire of a CAF (the QF comes from the CNAF)
    MSA = "msa"  # allocataire of the MSA
    NON_ALLOCATAIRE = "non_allocataire"  # no allocataire file: QF from the tax notice
    NO_PROOF = "no_proof"  # no proof of income (or a QF declared and not yet checked)


QF_CASE_LABELS_FR = {
    QFCase.CAF: "allocataires CAF",
    QFCase.MSA: "allocataires MSA",
    QFCase.NON_ALLOCATAIRE: "non-allocataires (avis d'imposition)",
    QFCase.NO_PROOF: "sans justificatif de ressources",
}
QF_SOURCE_CASES = {
    QFSource.CNAF: QFCase.CAF,
    QFSource.MSA: QFCase.MSA,
    QFSource.TAX_NOTICE: QFCase.NON_ALLOCATAIRE,
}


class NoProofPolicy(enum.StrEnum):
    """What a family that gives no proof of income pays."""

    MAXIMUM = "maximum"  # the ceiling, the top tranche, the PSU ceiling
    REFUSE = "refuse"  # no price without proof: the family must give one


class RoundingMode(enum.StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


ROUNDING_DECIMAL_MODES = {
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingMode.DOWN: ROUND_DOWN,
    RoundingMode.UP: ROUND_UP,
}
ROUNDING_LABELS_FR = {
    RoundingMode.HALF_UP: "au centime le plus proche, la moitié vers le haut",
    RoundingMode.HALF_EVEN: "au centime le plus proche, la moitié vers le centime pair",
    RoundingMode.DOWN: "au centime inférieur",
    RoundingMode.UP: "au centime supérieur",
}


# --- formatting (French) -----------------------------------------------------------------------

NBSP = "\u00a0"
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def format_number(value: Decimal | int, *, places: int | None = None) -> str:
    """``1234.5`` -> ``1 234,5`` (French: decimal comma, non-breaking space between thousands)."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        value = value.normalize()
        if value.as_tuple().exponent > 0:
            value = value.quantize(Decimal(1))
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = NBSP.join(groups)
    return f"{sign}{result},{fraction}" if fraction else f"{sign}{result}"


def format_euros(value: Decimal) -> str:
    """Euros with at least two decimals: ``2.6`` -> ``2,60 €``; ``2.898`` -> ``2,898 €``."""
    value = Decimal(value)
    places = max(2, -value.normalize().as_tuple().exponent)
    return f"{format_number(value, places=places)}{NBSP}€"


def format_percent(value: Decimal) -> str:
    return f"{format_number(value)}{NBSP}%"


def format_date_fr(value: date) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS_FR[value.month - 1]} {value.year}"


def format_month_fr(value: date) -> str:
    return f"{MONTHS_FR[value.month - 1]} {value.year}"


def to_decimal(value, *, field: str) -> Decimal:
    """A finite ``Decimal`` from a str, int or Decimal (never from a float, which is not exact)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise TariffError(f"La valeur « {value} » n'est pas un nombre.", field=field) from None
    if not result.is_finite():
        raise TariffError(f"La valeur « {value} » n'est pas un nombre.", field=field)
    return result


# --- inputs and outputs ------------------------------------------------------------------------


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
class _Computation:
    """A rule's price before surcharge and rounding, with its explanation so far."""

    amount: Decimal
    steps: list[str]
    column: str = ""
    column_label: str = ""


# --- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A service of a decree and how its price is computed. Subclasses add their parameters."""

    key: str
    label: str
    unit: Unit

    kind = ""
    #: Whether the decree's non-resident surcharge applies to this rule.
    allows_surcharge = True

    def __post_init__(self):
        if not self.key or not self.key.replace("-", "").replace("_", "").isalnum():
            raise TariffError(
                f"La clé de service « {self.key} » doit être faite de lettres, de chiffres, de tirets.",
                field="key",
            )
        object.__setattr__(self, "unit", Unit(self.unit))

    def compute(self, household: Household, *, no_proof: NoProofPolicy, column: str = "") -> _Computation:
        raise NotImplementedError

    def bounds(self, *, column: str = "") -> tuple[Decimal, Decimal | None]:
        """The lowest and highest price before surcharge and rounding (``None``: no ceiling)."""
        raise NotImplementedError

    def params(self) -> dict:
        """The rule's own parameters, as JSON-ready values."""
        raise NotImplementedError

    def to_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "label": self.label, "unit": str(self.unit), **self.params()}

    def _unit_fr(self) -> str:
        return UNIT_LABELS_FR[self.unit]


def _qf_sentence(household: Household) -> str:
    details = []
    if household.qf_source:
        details.append(f"source : {QF_SOURCE_LABELS_FR[QFSource(household.qf_source)]}")
    if household.qf_month:
        details.append(f"mois de {format_month_fr(household.qf_month)}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Quotient familial retenu : {format_number(household.qf)}{suffix}."


def _require_qf(household: Household) -> int:
    if household.qf is None:
        raise TariffError("Indiquez le quotient familial (ou l'absence de justificatif).", field="qf")
    return household.qf


def _refuse_without_proof() -> TariffError:
    return TariffError(
        "Ce tarif ne peut pas être calculé sans justificatif de ressources : merci d'en fournir un.",
        field="proof",
        code="proof_required",
    )


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
            f"{self._unit_fr()}."
        ]
        if not household.proof:
            if no_proof == NoProofPolicy.REFUSE:
                raise _refuse_without_proof()
            steps.append(f"Sans justificatif de ressources, le plafond de {format_euros(self.ceiling)} s'applique.")
            return _Computation(self.ceiling, steps)
        qf = _require_qf(household)
        steps.append(_qf_sentence(household))
        raw = Decimal(qf) * self.rate / HUNDRED
        steps.append(f"Calcul : {format_number(qf)} × {format_percent(self.rate)} = {format_euros(raw)}.")
        if raw < self.floor:
            steps.append(
                f"Ce montant est inférieur au plancher : le plancher de {format_euros(self.floor)} s'applique."
            )
            return _Computation(self.floor, steps)
        if raw > self.ceiling:
            steps.append(f"Ce montant dépasse le plafond : le plafond de {format_euros(self.ceiling)} s'applique.")
            return _Computation(self.ceiling, steps)
        steps.append("Ce montant est compris entre le plancher et le plafond.")
        return _Computation(raw, steps)

    def bounds(self, *, column=""):
        return self.floor, self.ceiling

    def params(self):
        return {"rate": f"{self.rate:f}", "floor": f"{self.floor:f}", "ceiling": f"{self.ceiling:f}"}


@dataclass(frozen=True)
class Column:
    """A column of a tranche grid, e.g. the CAF families' prices and the MSA/non-allocataire ones.

    ``applies_to``: the cases (``QFCase``) this column prices. A grid with several columns must give
    every case to exactly one column; a single column prices every case.
    """

    key: str
    label: str
    applies_to: tuple[QFCase, ...] = ()

    def __post_init__(self):
        try:
            cases = tuple(QFCase(case) for case in self.applies_to or ())
        except ValueError:
            known = ", ".join(QFCase)
            raise TariffError(
                f"Colonne « {self.label} » : cas inconnu dans {list(self.applies_to)} (cas : {known}).",
                field="columns",
            ) from None
        object.__setattr__(self, "applies_to", cases)


def column_mapping_problems(columns: list[Column]) -> list[str]:
    """What is wrong with which column applies to which case (French sentences; empty when right)."""
    if len(columns) <= 1:
        return []
    problems = []
    for case in QFCase:
        owners = [c.label for c in columns if case in c.applies_to]
        if not owners:
            problems.append(f"Aucune colonne ne s'applique aux familles {QF_CASE_LABELS_FR[case]}.")
        elif len(owners) > 1:
            problems.append(
                f"Les familles {QF_CASE_LABELS_FR[case]} sont dans plusieurs colonnes ({', '.join(owners)})."
            )
    return problems


@dataclass(frozen=True)
class Tranche:
    """QF from ``qf_min`` to ``qf_max`` (both inclusive, as published; ``None``: no upper bound)."""

    qf_min: int
    qf_max: int | None
    prices: dict[str, Decimal]

    def contains(self, qf: int) -> bool:
        return self.qf_min <= qf and (self.qf_max is None or qf <= self.qf_max)

    def label_fr(self) -> str:
        if self.qf_max is None:
            return f"à partir de {format_number(self.qf_min)}"
        return f"de {format_number(self.qf_min)} à {format_number(self.qf_max)}"


class TrancheProblem(enum.StrEnum):
    """Why a list of tranches is not a valid grid (codes that the admin translates)."""

    EMPTY = "empty"
    FIRST_NOT_ZERO = "first_not_zero"
    MAX_BELOW_MIN = "max_below_min"
    GAP = "gap"
    OVERLAP = "overlap"
    OPEN_NOT_LAST = "open_not_last"
    LAST_NOT_OPEN = "last_not_open"
    MISSING_PRICE = "missing_price"
    NEGATIVE_PRICE = "negative_price"
    DECREASING_PRICE = "decreasing_price"


TRANCHE_PROBLEMS_FR = {
    TrancheProblem.EMPTY: "La grille doit avoir au moins une tranche.",
    TrancheProblem.FIRST_NOT_ZERO: "La première tranche doit commencer à un quotient familial de 0.",
    TrancheProblem.MAX_BELOW_MIN: "La fin de la tranche est inférieure à son début.",
    TrancheProblem.GAP: "Il y a un trou entre cette tranche et la précédente.",
    TrancheProblem.OVERLAP: "Cette tranche chevauche la précédente (ou les tranches ne sont pas dans l'ordre).",
    TrancheProblem.OPEN_NOT_LAST: "Seule la dernière tranche peut être sans limite supérieure.",
    TrancheProblem.LAST_NOT_OPEN: "La dernière tranche doit être sans limite supérieure.",
    TrancheProblem.MISSING_PRICE: "Chaque tranche doit avoir un prix pour chaque colonne.",
    TrancheProblem.NEGATIVE_PRICE: "Un prix ne peut pas être négatif.",
    TrancheProblem.DECREASING_PRICE: "Un prix ne peut pas être inférieur à celui de la tranche précédente.",
}


def tranche_problems(tranches: list[Tranche], column_keys: list[str]) -> list[tuple[int, TrancheProblem]]:
    """Problems of a tranche list, as ``(index of the tranche, problem)`` pairs (empty: the grid is valid).

    Tranches must be in order, start at 0, leave no gap and not overlap (``next.qf_min == qf_max + 1``),
    and only the last one is open-ended (it must be, so that every QF has a price). Prices never
    decrease from one tranche to the next, so that a higher QF never pays less.
    """
    if not tranches:
        return [(0, TrancheProblem.EMPTY)]
    problems = []
    if tranches[0].qf_min != 0:
        problems.append((0, TrancheProblem.FIRST_NOT_ZERO))
    for index, tranche in enumerate(tranches):
        if set(tranche.prices) != set(column_keys):
            problems.append((index, TrancheProblem.MISSING_PRICE))
        elif any(price < 0 for price in tranche.prices.values()):
            problems.append((index, TrancheProblem.NEGATIVE_PRICE))
        if tranche.qf_max is not None and tranche.qf_max < tranche.qf_min:
            problems.append((index, TrancheProblem.MAX_BELOW_MIN))
        last = index == len(tranches) - 1
        if tranche.qf_max is None and not last:
            problems.append((index, TrancheProblem.OPEN_NOT_LAST))
        if tranche.qf_max is not None and last:
            problems.append((index, TrancheProblem.LAST_NOT_OPEN))
        if index > 0:
            previous = tranches[index - 1]
            comparable = set(column_keys) <= set(tranche.prices) and set(column_keys) <= set(previous.prices)
            if comparable and any(tranche.prices[k] < previous.prices[k] for k in column_keys):
                problems.append((index, TrancheProblem.DECREASING_PRICE))
            if previous.qf_max is not None:
                if tranche.qf_min > previous.qf_max + 1:
                    problems.append((index, TrancheProblem.GAP))
                elif tranche.qf_min <= previous.qf_max or tranche.qf_min < previous.qf_min:
                    problems.append((index, TrancheProblem.OVERLAP))
    return problems


DEFAULT_COLUMN = Column("standard", "Tarif")


@dataclass(frozen=True)
class TrancheRule(Rule):
    """QF tranches: the price of the tranche the QF falls in, in the chosen column."""

    columns: tuple[Column, ...] = (DEFAULT_COLUMN,)
    tranches: tuple[Tranche, ...] = ()

    kind = "tranches"

    def __post_init__(self):
        super().__post_init__()
        columns = tuple(c if isinstance(c, Column) else Column(**c) for c in self.columns) or (DEFAULT_COLUMN,)
        object.__setattr__(self, "columns", columns)
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise TariffError("Deux colonnes de la grille ont la même clé.", field="columns")
        # A grid without any mapping (older JSON) still loads; pricing it then says what is missing.
        if any(c.applies_to for c in columns):
            problems = column_mapping_problems(list(columns))
            if problems:
                raise TariffError(f"Service « {self.label} » : {problems[0]}", field="columns")
        tranches = tuple(
            Tranche(
                qf_min=int(t.qf_min),
                qf_max=None if t.qf_max is None else int(t.qf_max),
                prices={k: to_decimal(v, field="prices") for k, v in t.prices.items()},
            )
            for t in self.tranches
        )
        object.__setattr__(self, "tranches", tranches)
        problems = tranche_problems(list(tranches), keys)
        if problems:
            index, problem = problems[0]
            raise TariffError(f"Tranche n° {index + 1} : {TRANCHE_PROBLEMS_FR[problem]}", field="tranches")

    @property
    def mapped(self) -> bool:
        """Whether each case has its column (a single column prices every case)."""
        return not column_mapping_problems(list(self.columns)) and (
            len(self.columns) == 1 or all(c.applies_to for c in self.columns)
        )

    def column_for(self, case: QFCase) -> Column:
        """The column that prices ``case``, as the decree says (never a default one)."""
        if len(self.columns) == 1:
            return self.columns[0]
        for column in self.columns:
            if case in column.applies_to:
                return column
        raise TariffError(
            f"Le tarif ne dit pas quelle colonne du service « {self.label} » s'applique aux familles "
            f"{QF_CASE_LABELS_FR[case]} : l'arrêté doit être complété.",
            field="column",
            code="column_unmapped",
        )

    def column(self, key: str = "") -> Column:
        if not key:
            return self.columns[0]
        for column in self.columns:
            if column.key == key:
                return column
        known = ", ".join(c.key for c in self.columns)
        raise TariffError(f"La colonne « {key} » n'existe pas pour ce service (colonnes : {known}).", field="column")

    def compute(self, household, *, no_proof, column=""):
        steps = [f"Règle : grille par tranches de quotient familial, {self._unit_fr()}."]
        if column:
            col = self.column(column)
            if len(self.columns) > 1:
                steps.append(f"Colonne appliquée : « {col.label} » (choisie par un agent).")
        elif len(self.columns) == 1:
            col = self.columns[0]
        else:
            case = household.qf_case()
            col = self.column_for(case)
            steps.append(f"Colonne appliquée : « {col.label} », celle des familles {QF_CASE_LABELS_FR[case]}.")
        if not household.proof:
            if no_proof == NoProofPolicy.REFUSE:
                raise _refuse_without_proof()
            top = self.tranches[-1]
            price = top.prices[col.key]
            steps.append(
                f"Sans justificatif de ressources, la tranche la plus haute ({top.label_fr()}) s'applique : "
                f"{format_euros(price)}."
            )
            return _Computation(price, steps, col.key, col.label if len(self.columns) > 1 else "")
        qf = _require_qf(household)
        steps.append(_qf_sentence(household))
        tranche = next(t for t in self.tranches if t.contains(qf))
        price = tranche.prices[col.key]
        steps.append(
            f"Le quotient familial {format_number(qf)} est dans la tranche {tranche.label_fr()} : {format_euros(price)}."
        )
        return _Computation(price, steps, col.key, col.label if len(self.columns) > 1 else "")

    def bounds(self, *, column=""):
        key = self.column(column).key
        prices = [t.prices[key] for t in self.tranches]
        return min(prices), max(prices)

    def params(self):
        return {
            "columns": [
                {
                    "key": c.key,
                    "label": c.label,
                    **({"applies_to": [str(a) for a in c.applies_to]} if c.applies_to else {}),
                }
                for c in self.columns
            ],
            "tranches": [
                {
                    "qf_min": t.qf_min,
                    "qf_max": t.qf_max,
                    "prices": {c.key: f"{t.prices[c.key]:f}" for c in self.columns},
                }
                for t in self.tranches
            ],
        }


# The national PSU barème (CNAF): hourly rate by number of children in charge, since 2022.
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
            f"prix {self._unit_fr()}."
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
                raise _refuse_without_proof()
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
        return _Computation(amount, steps)

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
        return _Computation(self.price, [f"Règle : prix forfaitaire de {format_euros(self.price)} {self._unit_fr()}."])

    def bounds(self, *, column=""):
        return self.price, self.price

    def params(self):
        return {"price": f"{self.price:f}"}


RULE_KINDS: dict[str, type[Rule]] = {cls.kind: cls for cls in (EffortRateRule, TrancheRule, PSURule, FlatRule)}


# --- a decree's grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A decree's pricing terms and services, as the engine needs them."""

    reference: str
    services: tuple[Rule, ...]
    non_resident_surcharge: Decimal = Decimal(0)
    no_proof: NoProofPolicy = NoProofPolicy.MAXIMUM
    rounding: Rounding = field(default_factory=Rounding)

    def __post_init__(self):
        surcharge = to_decimal(self.non_resident_surcharge, field="non_resident_surcharge")
        if not Decimal(0) <= surcharge <= MAX_NON_RESIDENT_SURCHARGE:
            raise TariffError(
                "La majoration pour les non-résidents doit être comprise entre 0 et 15 %.",
                field="non_resident_surcharge",
            )
        object.__setattr__(self, "non_resident_surcharge", surcharge)
        object.__setattr__(self, "no_proof", NoProofPolicy(self.no_proof))
        object.__setattr__(self, "services", tuple(self.services))
        keys = [s.key for s in self.services]
        if len(set(keys)) != len(keys):
            raise TariffError("Deux services du tarif ont la même clé.", field="services")

    def service(self, key: str) -> Rule:
        for rule in self.services:
            if rule.key == key:
                return rule
        known = ", ".join(s.key for s in self.services) or "aucun"
        raise TariffError(f"Le service « {key} » n'existe pas dans ce tarif (services : {known}).", field="service")

    def surcharge_for(self, rule: Rule) -> Decimal:
        return self.non_resident_surcharge if rule.allows_surcharge else Decimal(0)


def quote(grid: Grid, service_key: str, household: Household, *, column: str = "") -> Quote:
    """The price of one service of ``grid`` for ``household``, with its explanation."""
    rule = grid.service(service_key)
    computation = rule.compute(household, no_proof=grid.no_proof, column=column)
    steps = [f"Tarif fixé par : {grid.reference}.", f"Service : {rule.label}.", *computation.steps]
    amount = computation.amount
    why = f" ({household.residence})" if household.residence else ""
    if household.resident:
        steps.append(f"Famille résidente{why} : pas de majoration.")
    elif not rule.allows_surcharge:
        steps.append(f"Famille non résidente{why} : ce barème national ne prévoit pas de majoration.")
    elif grid.non_resident_surcharge == 0:
        steps.append(f"Famille non résidente{why} : ce tarif ne prévoit pas de majoration.")
    else:
        factor = 1 + grid.non_resident_surcharge / HUNDRED
        surcharged = amount * factor
        steps.append(
            f"Famille non résidente{why} : majoration de {format_percent(grid.non_resident_surcharge)}, "
            f"{format_euros(amount)} × {format_number(factor)} = {format_euros(surcharged)}."
        )
        amount = surcharged
    rounded = grid.rounding.apply(amount)
    if rounded != amount:
        steps.append(
            f"Arrondi {ROUNDING_LABELS_FR[grid.rounding.mode]} : {format_euros(amount)} → {format_euros(rounded)}."
        )
    steps.append(f"Montant : {format_euros(rounded)} {rule._unit_fr()}.")
    return Quote(
        amount=rounded,
        unit=rule.unit,
        service_key=rule.key,
        service_label=rule.label,
        explanation=steps,
        column=computation.column,
        column_label=computation.column_label,
    )


# --- JSON shape (docs/tariff-format.md) --------------------------------------------------------


def rule_to_dict(rule: Rule) -> dict:
    return rule.to_dict()


def rule_from_dict(data: dict) -> Rule:
    """A rule from its JSON shape; raises ``TariffError`` naming what is wrong."""
    if not isinstance(data, dict):
        raise TariffError("Chaque service doit être un objet JSON.", field="services")
    kind = data.get("kind")
    if kind not in RULE_KINDS:
        raise TariffError(
            f"Type de règle inconnu « {kind} » (types : {', '.join(RULE_KINDS)}).", field="kind", code="unknown_kind"
        )
    try:
        common = {"key": data["key"], "label": data["label"], "unit": Unit(data["unit"])}
    except KeyError as missing:
        raise TariffError(f"Champ obligatoire manquant : {missing.args[0]}.", field=str(missing.args[0])) from None
    except ValueError:
        raise TariffError(f"Unité inconnue « {data.get('unit')} ».", field="unit") from None
    try:
        if kind == EffortRateRule.kind:
            return EffortRateRule(**common, rate=data["rate"], floor=data["floor"], ceiling=data["ceiling"])
        if kind == TrancheRule.kind:
            columns = tuple(
                Column(key=c["key"], label=c["label"], applies_to=tuple(c.get("applies_to") or ()))
                for c in data.get("columns") or ()
            )
            tranches = tuple(
                Tranche(qf_min=t["qf_min"], qf_max=t.get("qf_max"), prices=dict(t["prices"])) for t in data["tranches"]
            )
            return TrancheRule(**common, columns=columns, tranches=tranches)
        if kind == PSURule.kind:
            return PSURule(**common, period=data["period"], no_ceiling=bool(data.get("no_ceiling", False)))
        return FlatRule(**common, price=data["price"])
    except KeyError as missing:
        raise TariffError(f"Champ obligatoire manquant : {missing.args[0]}.", field=str(missing.args[0])) from None
    except (TypeError, ValueError) as error:
        if isinstance(error, TariffError):
            raise
        raise TariffError(f"Service « {common['key']} » : valeur invalide ({error}).", field="services") from None


def grid_terms_to_dict(grid: Grid) -> dict:
    return {
        "non_resident_surcharge": f"{grid.non_resident_surcharge:f}",
        "no_proof": str(grid.no_proof),
        "rounding": {"mode": str(grid.rounding.mode), "quantum": f"{grid.rounding.quantum:f}"},
        "services": [rule_to_dict(rule) for rule in grid.services],
    }


def grid_from_dict(data: dict, *, reference: str = "") -> Grid:
    """A grid from the JSON shape of docs/tariff-format.md (``reference`` defaults to ``data["reference"]``)."""
    rounding = data.get("rounding") or {}
    try:
        mode = RoundingMode(rounding.get("mode", RoundingMode.HALF_UP))
    except ValueError:
        raise TariffError(f"Mode d'arrondi inconnu « {rounding.get('mode')} ».", field="rounding") from None
    quantum = to_decimal(rounding.get("quantum", "0.01"), field="rounding")
    if quantum <= 0:
        raise TariffError("Le pas d'arrondi doit être positif.", field="rounding")
    try:
        no_proof = NoProofPolicy(data.get("no_proof", NoProofPolicy.MAXIMUM))
    except ValueError:
        raise TariffError(f"Règle sans justificatif inconnue « {data.get('no_proof')} ».", field="no_proof") from None
    return Grid(
        reference=reference or data.get("reference", ""),
        services=tuple(rule_from_dict(s) for s in data.get("services") or ()),
        non_resident_surcharge=data.get("non_resident_surcharge", "0"),
        no_proof=no_proof,
        rounding=Rounding(mode=mode, quantum=quantum),
    )
