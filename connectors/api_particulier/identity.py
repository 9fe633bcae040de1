"""The benefit holder's identity (allocataire) in family terms, and its translation into API parameters.

An ``Identity`` is personal data: its ``repr`` hides every value so that it never lands in a log line, a
traceback or an error report.
"""

from dataclasses import dataclass
from datetime import date

FRANCE_COG = "99100"


class IdentityError(ValueError):
    """The identity is incomplete or inconsistent (the message names the field, never its value)."""


@dataclass(frozen=True, repr=False)
class Identity:
    """The identity of the CAF/MSA benefit holder, as the family knows it.

    - ``birth_name``: nom de naissance; ``usage_name``: nom d'usage (optional);
    - ``first_names``: prénoms, 1 to 3, in the order of the birth certificate;
    - ``sex``: "M" or "F" as on the civil record;
    - ``birth_date``: date de naissance (optional for people born abroad);
    - ``born_in_france``: True, or False with ``birth_country_code`` (INSEE COG, 5 digits, e.g. 99139);
    - born in France: ``birth_commune_code`` (INSEE, 5 characters), or ``birth_commune_name`` +
      ``birth_department_code`` (the API then needs the birth year, taken from ``birth_date``).
    """

    birth_name: str
    first_names: tuple[str, ...] | list[str]
    sex: str
    birth_date: date | None = None
    usage_name: str = ""
    born_in_france: bool = True
    birth_country_code: str = FRANCE_COG
    birth_commune_code: str = ""
    birth_commune_name: str = ""
    birth_department_code: str = ""

    def __repr__(self) -> str:
        return "Identity(<redacted>)"

    __str__ = __repr__

    def validate(self) -> None:
        """Raise ``IdentityError`` when the API would refuse these details."""
        if not self.birth_name.strip():
            raise IdentityError("birth_name is required")
        names = [name.strip() for name in self.first_names if name.strip()]
        if not 1 <= len(names) <= 3:
            raise IdentityError("first_names needs 1 to 3 first names")
        if self.sex not in {"M", "F"}:
            raise IdentityError("sex must be M or F")
        if self.born_in_france:
            if self.birth_commune_code:
                if len(self.birth_commune_code) != 5:
                    raise IdentityError("birth_commune_code must have 5 characters")
            elif not (self.birth_commune_name.strip() and self.birth_department_code.strip() and self.birth_date):
                raise IdentityError(
                    "born in France: give birth_commune_code, or birth_commune_name with birth_department_code "
                    "and birth_date"
                )
        else:
            code = self.birth_country_code
            if len(code) != 5 or not code.isdigit() or code == FRANCE_COG:
                raise IdentityError("birth_country_code must be the 5-digit INSEE code of a foreign country")

    def to_params(self) -> dict[str, str | list[str]]:
        """Query parameters of ``/v3/dss/quotient_familial/identite`` (without ``recipient``)."""
        self.validate()
        params: dict[str, str | list[str]] = {
            "nomNaissance": self.birth_name.strip(),
            "prenoms[]": [name.strip() for name in self.first_names if name.strip()],
            "sexeEtatCivil": self.sex,
            "codeCogInseePaysNaissance": FRANCE_COG if self.born_in_france else self.birth_country_code,
        }
        if self.usage_name.strip() and self.usage_name.strip().upper() != self.birth_name.strip().upper():
            params["nomUsage"] = self.usage_name.strip()
        if self.birth_date:
            params["anneeDateNaissance"] = str(self.birth_date.year)
            params["moisDateNaissance"] = str(self.birth_date.month)
            params["jourDateNaissance"] = str(self.birth_date.day)
        if self.born_in_france:
            if self.birth_commune_code:
                params["codeCogInseeCommuneNaissance"] = self.birth_commune_code.upper()
            else:
                params["nomCommuneNaissance"] = self.birth_commune_name.strip()
                params["codeCogInseeDepartementNaissance"] = self.birth_department_code.strip().upper()
        return params

    def to_dict(self) -> dict:
        """A JSON-serialisable form (to be stored encrypted only)."""
        return {
            "birth_name": self.birth_name,
            "first_names": list(self.first_names),
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "usage_name": self.usage_name,
            "born_in_france": self.born_in_france,
            "birth_country_code": self.birth_country_code,
            "birth_commune_code": self.birth_commune_code,
            "birth_commune_name": self.birth_commune_name,
            "birth_department_code": self.birth_department_code,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Identity":
        values = dict(data)
        if values.get("birth_date"):
            values["birth_date"] = date.fromisoformat(values["birth_date"])
        values["first_names"] = tuple(values.get("first_names") or ())
        return cls(**values)
