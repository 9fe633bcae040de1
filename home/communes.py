"""The official list of French communes (INSEE code, name, postcodes), read from ``data/communes.tsv.gz``.

The file is derived from ``@etalab/decoupage-administratif`` by ``data/make_communes.py`` (see there).
Residence is decided on INSEE codes: a family's address gives its commune's code, which is compared
with the codes of the communes a council serves.
"""

import gzip
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "communes.tsv.gz"


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee})"


@cache
def _communes() -> tuple[dict[str, Commune], dict[str, tuple[Commune, ...]]]:
    by_code: dict[str, Commune] = {}
    by_postcode: dict[str, list[Commune]] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        for line in lines:
            insee, name, postcodes = line.rstrip("\n").split("\t")
            commune = Commune(insee, name, tuple(postcodes.split()))
            by_code[insee] = commune
            for postcode in commune.postcodes:
                by_postcode.setdefault(postcode, []).append(commune)
    return by_code, {postcode: tuple(found) for postcode, found in by_postcode.items()}


def commune_by_insee(insee: str) -> Commune | None:
    return _communes()[0].get((insee or "").strip().upper())


def communes_for_postcode(postcode: str) -> tuple[Commune, ...]:
    """The communes served by a postcode, by name (often one, sometimes dozens)."""
    return tuple(sorted(_communes()[1].get((postcode or "").strip(), ()), key=lambda c: c.name))


def simplified(name: str) -> str:
    """``Saint-Jean-de-Losne`` and ``ST JEAN DE LOSNE`` compare equal."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().upper()
    text = " ".join(text.replace("-", " ").replace("'", " ").split())
    return " ".join("SAINT" if word == "ST" else "SAINTE" if word == "STE" else word for word in text.split())


def commune_for_address(postcode: str, city: str) -> Commune | None:
    """The commune of a postcode and a town name as a family types them (``None`` when it does not match)."""
    candidates = communes_for_postcode(postcode)
    if len(candidates) == 1 and not (city or "").strip():
        return candidates[0]
    wanted = simplified(city)
    return next((c for c in candidates if simplified(c.name) == wanted), None)
