"""A decree's grid (its services and common terms), the quote of a service for a household, and the JSON
shape of grids and rules (docs/tariff-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .rule import RULE_KINDS, Household, Quote, Rounding, Rule
from .values import (
    HUNDRED,
    MAX_NON_RESIDENT_SURCHARGE,
    ROUNDING_LABELS_FR,
    NoProofPolicy,
    RoundingMode,
    TariffError,
    Unit,
    format_euros,
    format_number,
    format_percent,
    to_decimal,
)

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
    steps.append(f"Montant : {format_euros(rounded)} {rule.unit_fr()}.")
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
        return RULE_KINDS[kind].from_params(common, data)
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
