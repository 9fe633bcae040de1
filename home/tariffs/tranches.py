"""QF tranches: a grid of prices by QF tranche, in one or several columns (CAF, MSA, no proof...)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from .rule import Computation, Rule, qf_sentence, refuse_without_proof, require_qf
from .values import QF_CASE_LABELS_FR, NoProofPolicy, QFCase, TariffError, format_euros, format_number, to_decimal


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
        steps = [f"Règle : grille par tranches de quotient familial, {self.unit_fr()}."]
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
                raise refuse_without_proof()
            top = self.tranches[-1]
            price = top.prices[col.key]
            steps.append(
                f"Sans justificatif de ressources, la tranche la plus haute ({top.label_fr()}) s'applique : "
                f"{format_euros(price)}."
            )
            return Computation(price, steps, col.key, col.label if len(self.columns) > 1 else "")
        qf = require_qf(household)
        steps.append(qf_sentence(household))
        tranche = next(t for t in self.tranches if t.contains(qf))
        price = tranche.prices[col.key]
        steps.append(
            f"Le quotient familial {format_number(qf)} est dans la tranche {tranche.label_fr()} : {format_euros(price)}."
        )
        return Computation(price, steps, col.key, col.label if len(self.columns) > 1 else "")

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

    @classmethod
    def from_params(cls, common, data):
        columns = tuple(
            Column(key=c["key"], label=c["label"], applies_to=tuple(c.get("applies_to") or ()))
            for c in data.get("columns") or ()
        )
        tranches = tuple(
            Tranche(qf_min=t["qf_min"], qf_max=t.get("qf_max"), prices=dict(t["prices"])) for t in data["tranches"]
        )
        return cls(**common, columns=columns, tranches=tranches)
