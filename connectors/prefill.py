"""Prefill: which form fields API Particulier can fill, how the editor lets families change them, and
the conversion of a QF answer into flat values with their provenance.

Keys of ``PrefillResult.values`` (and of ``FILLABLE_FIELDS``):

- ``qf.valeur`` (int; absent when the QF is unknown: value 0 or block missing), ``qf.fournisseur``
  ("CNAF" or "MSA"), ``qf.annee`` and ``qf.mois`` (the period the QF applies to);
- ``allocataires`` and ``enfants``: lists of ``{"nom_naissance", "nom_usage", "prenoms",
  "date_naissance" (YYYY-MM-DD), "sexe"}``;
- ``adresse``: ``{"destinataire", "complement_information", "complement_information_geographique",
  "numero_libelle_voie", "lieu_dit", "code_postal_ville", "pays"}``.

Each key has a provenance: ``{"source": "API Particulier", "provider": "CNAF"|"MSA", "period": "YYYY-MM",
"request_id": ..., "fetched_at": ISO 8601, "route": ...}``.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .api_particulier.scopes import SCOPE_ADRESSE, SCOPE_ALLOCATAIRES, SCOPE_ENFANTS, SCOPE_QF

SOURCE = "API Particulier"


class PrefillMode(models.TextChoices):
    """How a prefilled form field behaves, as chosen by the form's editor."""

    LOCKED = "locked", _("Locked: the family cannot change the value")
    EDITABLE = "editable", _("Editable: prefilled, the family may correct it")
    LOCKED_UNLESS_EMPTY = "locked_unless_empty", _("Locked, unless the API gave no value")


@dataclass(frozen=True)
class FillableField:
    key: str
    label: str
    scope: str
    kind: str  # "integer", "text", "list", "object"


FILLABLE_FIELDS: dict[str, FillableField] = {
    field.key: field
    for field in [
        FillableField("qf.valeur", _("Family quotient (QF)"), SCOPE_QF, "integer"),
        FillableField("qf.fournisseur", _("QF provider (CAF or MSA)"), SCOPE_QF, "text"),
        FillableField("qf.annee", _("QF year"), SCOPE_QF, "integer"),
        FillableField("qf.mois", _("QF month"), SCOPE_QF, "integer"),
        FillableField("allocataires", _("Benefit holders (allocataires)"), SCOPE_ALLOCATAIRES, "list"),
        FillableField("enfants", _("Children"), SCOPE_ENFANTS, "list"),
        FillableField("adresse", _("Address known to the CAF or MSA"), SCOPE_ADRESSE, "object"),
    ]
}

PROVIDER_NAMES = {"CNAF": _("the CAF (family allowance fund)"), "MSA": _("the MSA (agricultural social security)")}


def fillable_choices() -> list[tuple[str, str]]:
    """``(key, label)`` pairs for a choice field of the form builder."""
    return [(field.key, field.label) for field in FILLABLE_FIELDS.values()]


def scopes_for(keys) -> list[str]:
    """The scopes needed to fill these keys (data minimisation: ask only for these)."""
    needed = {FILLABLE_FIELDS[key].scope for key in keys}
    return [scope for scope in (SCOPE_QF, SCOPE_ALLOCATAIRES, SCOPE_ENFANTS, SCOPE_ADRESSE) if scope in needed]


def apply_mode(mode: str, *, prefilled: Any, current: Any = None) -> tuple[Any, bool]:
    """The value to show and whether the family may change it, given the editor's ``mode``.

    ``prefilled`` is the API's value (None when it gave none), ``current`` what the family typed before.
    """
    has_value = prefilled not in (None, "", [], {})
    if not has_value:
        # Nothing came: "locked" keeps the field closed (the manual route applies), the others open it.
        return (None, True) if mode == PrefillMode.LOCKED else (current, False)
    if mode == PrefillMode.EDITABLE:
        return (current if current not in (None, "") else prefilled), False
    return prefilled, True


def values_from_qf(data: dict, *, request_id: str | None, fetched_at: str, route: str) -> tuple[dict, dict, bool]:
    """Flat values, their provenance and whether the QF is known, from a (masked) QF ``data`` object."""
    values: dict[str, Any] = {}
    qf = data.get("quotient_familial") if isinstance(data.get("quotient_familial"), dict) else None
    provider = (qf or {}).get("fournisseur") or ""
    period = ""
    qf_known = False
    if qf is not None:
        if qf.get("annee") and qf.get("mois"):
            period = f"{int(qf['annee']):04d}-{int(qf['mois']):02d}"
            values["qf.annee"] = int(qf["annee"])
            values["qf.mois"] = int(qf["mois"])
        if provider:
            values["qf.fournisseur"] = provider
        # A value of 0 means "unknown" (historic CNAF behaviour), never a QF of zero.
        if isinstance(qf.get("valeur"), int) and qf["valeur"] > 0:
            values["qf.valeur"] = qf["valeur"]
            qf_known = True
    for block in ("allocataires", "enfants"):
        if isinstance(data.get(block), list):
            values[block] = [_person(item) for item in data[block] if isinstance(item, dict)]
    if isinstance(data.get("adresse"), dict):
        values["adresse"] = dict(data["adresse"])
    provenance = {
        key: {
            "source": SOURCE,
            "provider": provider,
            "period": period,
            "request_id": request_id or "",
            "fetched_at": fetched_at,
            "route": route,
        }
        for key in values
    }
    return values, provenance, qf_known


# Particles written in lower case inside a name ("Charles de Gaulle", "Jean d'Ormesson").
NAME_PARTICLES = {"de", "du", "des", "d"}
PERSON_NAME_KEYS = ("nom_naissance", "nom_usage", "prenoms")


def name_usual_case(name: str) -> str:
    """A name as the CAF sends it (``NOE PAUL``, ``DE LA FONTAINE``, ``D'ALEMBERT``) in the usual case:
    ``Noe Paul``, ``de La Fontaine``, ``d'Alembert``; each part of a hyphenated name gets its capital
    (``JEAN-PIERRE`` -> ``Jean-Pierre``). The API gives no accents, so none are invented. A name already
    in mixed case is kept as typed."""
    text = " ".join((name or "").split())
    if not text or text != text.upper():
        return text
    words = []
    for position, word in enumerate(text.split(" ")):
        parts = []
        for part in re.split(r"(['’-])", word.lower()):
            parts.append(part if part in ("'", "’", "-") else part[:1].upper() + part[1:])
        cased = "".join(parts)
        lowered = word.lower()
        particle = lowered.split("'")[0].split("’")[0]
        is_last = position == len(text.split(" ")) - 1
        if particle in NAME_PARTICLES and (not is_last or "'" in lowered or "’" in lowered):
            cased = particle + cased[len(particle) :]
        words.append(cased)
    return " ".join(words)


def person_usual_case(person: dict) -> dict:
    """A person of an API answer with its names in the usual case (see ``name_usual_case``)."""
    return {
        key: name_usual_case(value) if key in PERSON_NAME_KEYS and isinstance(value, str) else value
        for key, value in person.items()
    }


def _person(item: dict) -> dict:
    return {
        "nom_naissance": item.get("nom_naissance") or "",
        "nom_usage": item.get("nom_usage") or "",
        "prenoms": item.get("prenoms") or "",
        # Some providers send unknown days/months as "00" or an empty string: keep what came.
        "date_naissance": item.get("date_naissance") or "",
        "sexe": item.get("sexe") or "",
    }
