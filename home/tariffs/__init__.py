"""The tariff engine: prices of council services, computed from a decree and explained step by step.

Plain Python on purpose (no Django import): it takes plain values (a ``Grid`` read from a decree, a
``Household``) and returns a ``Quote`` whose ``explanation`` says, sentence by sentence, which decree,
which rule, which inputs, which clamping, which surcharge and which rounding produced the amount.
Money is ``Decimal`` throughout.

- ``values``: units, QF sources and cases, policies, rounding modes, and their French wording;
- ``rule``: the household, the quote and the ``Rule`` base class with the registry of kinds;
- one module per rule kind, each with its computation and its reading from JSON: ``effort_rate``
  (taux d'effort), ``tranches`` (QF tranches in columns), ``psu`` (the CNAF's PSU barème), ``flat``;
- ``grid``: a decree's grid, ``quote()``, and the JSON shape of grids (docs/tariff-format.md).

A new rule kind is one module here (a ``Rule`` subclass with its ``kind``), imported below, and one block
in the decree page (``home/blocks/tariffs.py``).

Language: because this package cannot use Django's translation machinery, its explanation sentences and
error messages are written directly in French. This is the one place of the project where French
source strings are accepted; everything else uses English source strings translated in ``locale/``.
"""

from .effort_rate import EffortRateRule
from .flat import FlatRule
from .grid import Grid, grid_from_dict, grid_terms_to_dict, quote, rule_from_dict, rule_to_dict
from .psu import PSU_PERIODS, PSU_RATES, PSU_STEP_LABELS_FR, PSUPeriod, PSURule, psu_period_on
from .rule import RULE_KINDS, Computation, Household, Quote, Rounding, Rule
from .tranches import (
    DEFAULT_COLUMN,
    TRANCHE_PROBLEMS_FR,
    Column,
    Tranche,
    TrancheProblem,
    TrancheRule,
    column_mapping_problems,
    tranche_problems,
)
from .values import (
    CENT,
    HUNDRED,
    MAX_NON_RESIDENT_SURCHARGE,
    QF_CASE_LABELS_FR,
    QF_SOURCE_CASES,
    QF_SOURCE_LABELS_FR,
    ROUNDING_LABELS_FR,
    UNIT_LABELS_FR,
    NoProofPolicy,
    QFCase,
    QFSource,
    RoundingMode,
    TariffError,
    Unit,
    format_date_fr,
    format_euros,
    format_month_fr,
    format_number,
    format_percent,
    to_decimal,
)

__all__ = [
    "CENT",
    "DEFAULT_COLUMN",
    "HUNDRED",
    "MAX_NON_RESIDENT_SURCHARGE",
    "PSU_PERIODS",
    "PSU_RATES",
    "PSU_STEP_LABELS_FR",
    "QF_CASE_LABELS_FR",
    "QF_SOURCE_CASES",
    "QF_SOURCE_LABELS_FR",
    "ROUNDING_LABELS_FR",
    "RULE_KINDS",
    "TRANCHE_PROBLEMS_FR",
    "UNIT_LABELS_FR",
    "Column",
    "Computation",
    "EffortRateRule",
    "FlatRule",
    "Grid",
    "Household",
    "NoProofPolicy",
    "PSUPeriod",
    "PSURule",
    "QFCase",
    "QFSource",
    "Quote",
    "Rounding",
    "RoundingMode",
    "Rule",
    "TariffError",
    "Tranche",
    "TrancheProblem",
    "TrancheRule",
    "Unit",
    "column_mapping_problems",
    "format_date_fr",
    "format_euros",
    "format_month_fr",
    "format_number",
    "format_percent",
    "grid_from_dict",
    "grid_terms_to_dict",
    "psu_period_on",
    "quote",
    "rule_from_dict",
    "rule_to_dict",
    "to_decimal",
    "tranche_problems",
]
