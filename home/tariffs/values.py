"""The engine's values and their French wording: units, QF sources and cases, policies, rounding modes,
and how numbers, amounts and dates are written in explanations."""

from __future__ import annotations

import enum
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
