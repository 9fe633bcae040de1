"""The simulator's own demo tokens and families (all fictitious), used by the demo, the README and tests.

Tokens (send as ``Authorization: Bearer <token>``):

=====================  ==========================================================================
``demo-qf-complet``    the four QF scopes (QF, allocataires, children, address)
``demo-qf-enfants``    QF and children only (the other blocks are masked)
``demo-qf-seul``       the QF value only
``demo-sans-qf``       no QF scope (school data only): the QF routes answer 403 ``00100``
``demo-expire``        expired: 401 ``00103``
``demo-revoque``       revoked (blacklisted): 401 ``00105``
=====================  ==========================================================================

Families: see ``DEMO_FAMILIES`` below (identity to type in the form, and what the simulator answers).
An identity that matches no family gets 404 ``35003`` (not referenced with any fund); a known birth name
with other birth details, or the holder's partner, gets 422 ``00355`` (identity not matched).
"""

# ruff: noqa: S106 - every token here is a public, fictitious demo value.
from dataclasses import dataclass, field

from ..scopes import QF_SCOPES, SCOPE_ENFANTS, SCOPE_QF


@dataclass(frozen=True)
class DemoToken:
    token: str
    name: str
    scopes: tuple[str, ...]
    expired: bool = False
    revoked: bool = False


DEMO_TOKENS = {
    token.token: token
    for token in [
        DemoToken("demo-qf-complet", "Démo : QF complet", QF_SCOPES),
        DemoToken("demo-qf-enfants", "Démo : QF et enfants", (SCOPE_QF, SCOPE_ENFANTS)),
        DemoToken("demo-qf-seul", "Démo : QF seul", (SCOPE_QF,)),
        DemoToken("demo-sans-qf", "Démo : sans QF", ("men_statut_scolarite",)),
        DemoToken("demo-expire", "Démo : jeton expiré", QF_SCOPES, expired=True),
        DemoToken("demo-revoque", "Démo : jeton révoqué", QF_SCOPES, revoked=True),
    ]
}


@dataclass(frozen=True)
class Person:
    nom_naissance: str
    prenoms: str
    date_naissance: str
    sexe: str
    nom_usage: str | None = None

    def as_api(self) -> dict:
        return {
            "nom_naissance": self.nom_naissance,
            "nom_usage": self.nom_usage,
            "prenoms": self.prenoms,
            "date_naissance": self.date_naissance,
            "sexe": self.sexe,
        }


@dataclass(frozen=True)
class DemoFamily:
    """A family the simulator knows: the holder's identity, what to answer, and a FranceConnect token."""

    key: str
    description: str
    holder: Person
    birth_country: str = "99100"
    birth_commune_code: str = ""
    birth_commune_name: str = ""
    birth_department: str = ""
    # "ok", or an error: "no_file_cnaf" (404 23003), "no_file_msa" (404 10003), "mismatch" (422 00355).
    outcome: str = "ok"
    fournisseur: str = "CNAF"
    qf: int = 0
    partner: Person | None = None
    children: tuple[Person, ...] = ()
    address: dict = field(default_factory=dict)
    france_connect_token: str = ""

    @property
    def first_names(self) -> list[str]:
        return self.holder.prenoms.split()


def _address(recipient: str, street: str, town: str, extra: str | None = None) -> dict:
    return {
        "destinataire": recipient,
        "complement_information": extra,
        "complement_information_geographique": None,
        "numero_libelle_voie": street,
        "lieu_dit": None,
        "code_postal_ville": town,
        "pays": "FRANCE",
    }


DEMO_FAMILIES = [
    DemoFamily(
        key="cnaf-couple-2-enfants",
        description="CNAF, couple, two children, QF 620",
        holder=Person("LAMBERT", "CAMILLE ANNE", "1986-04-12", "F", nom_usage="MERCIER"),
        birth_commune_code="21231",
        birth_commune_name="Dijon",
        birth_department="21",
        fournisseur="CNAF",
        qf=620,
        partner=Person("MERCIER", "THOMAS", "1984-11-02", "M"),
        children=(
            Person("MERCIER", "LOU", "2015-06-21", "F"),
            Person("MERCIER", "NOE PAUL", "2018-02-09", "M"),
        ),
        address=_address("Madame MERCIER CAMILLE", "4 RUE DES TILLEULS", "21990 VALMONT"),
        france_connect_token="fc-demo-lambert",
    ),
    DemoFamily(
        key="msa-parent-3-enfants",
        description="MSA, single parent, three children, QF 410 (under the CCAS threshold of 456)",
        holder=Person("FONTAINE", "JULIEN", "1982-09-03", "M"),
        birth_commune_code="21054",
        birth_commune_name="Beaune",
        birth_department="21",
        fournisseur="MSA",
        qf=410,
        children=(
            Person("FONTAINE", "EMMA", "2012-03-14", "F"),
            Person("FONTAINE", "JULES", "2014-10-30", "M"),
            Person("FONTAINE", "ROSE MARIE", "2019-01-05", "F"),
        ),
        address=_address("Monsieur FONTAINE JULIEN", "LA FERME DU MOULIN", "21991 BELLERIVE", extra="CHEMIN DU GUE"),
        france_connect_token="fc-demo-fontaine",
    ),
    DemoFamily(
        key="cnaf-nee-etranger-4-enfants",
        description="CNAF, born abroad (Portugal), four children, QF 1350",
        holder=Person("DA SILVA", "ANA SOFIA", "1980-01-25", "F"),
        birth_country="99139",
        fournisseur="CNAF",
        qf=1350,
        partner=Person("RIBEIRO", "MIGUEL", "1978-07-19", "M"),
        children=(
            Person("RIBEIRO", "INES", "2007-05-02", "F"),
            Person("RIBEIRO", "TIAGO", "2010-08-11", "M"),
            Person("RIBEIRO", "LARA", "2013-12-24", "F"),
            Person("RIBEIRO", "DAVI", "2017-04-03", "M"),
        ),
        address=_address("Madame DA SILVA ANA", "18 AVENUE DU CHATEAU", "21990 VALMONT"),
        france_connect_token="fc-demo-dasilva",
    ),
    DemoFamily(
        key="cnaf-qf-inconnu",
        description="CNAF, one child, QF 0 (unknown: resources not declared)",
        holder=Person("MOREAU", "LUCIE", "1993-02-17", "F"),
        birth_commune_code="21231",
        birth_commune_name="Dijon",
        birth_department="21",
        fournisseur="CNAF",
        qf=0,
        children=(Person("MOREAU", "SACHA", "2021-09-09", "M"),),
        address=_address("Madame MOREAU LUCIE", "2 IMPASSE DES VIGNES", "21990 VALMONT"),
        france_connect_token="fc-demo-moreau",
    ),
    DemoFamily(
        key="sans-dossier-cnaf",
        description="No CAF file: 404 23003",
        holder=Person("PETIT", "HUGO", "1990-05-30", "M"),
        birth_commune_code="21231",
        birth_commune_name="Dijon",
        birth_department="21",
        outcome="no_file_cnaf",
        france_connect_token="fc-demo-petit",
    ),
    DemoFamily(
        key="sans-dossier-msa",
        description="No MSA file: 404 10003",
        holder=Person("GARNIER", "PAULINE", "1988-12-01", "F"),
        birth_commune_code="21054",
        birth_commune_name="Beaune",
        birth_department="21",
        outcome="no_file_msa",
        fournisseur="MSA",
        france_connect_token="fc-demo-garnier",
    ),
    DemoFamily(
        key="identite-non-reconnue",
        description="Identity not matched: 422 00355",
        holder=Person("ROBIN", "ELISE", "1991-07-07", "F"),
        birth_commune_code="21231",
        birth_commune_name="Dijon",
        birth_department="21",
        outcome="mismatch",
        france_connect_token="fc-demo-robin",
    ),
]

FAMILIES_BY_KEY = {family.key: family for family in DEMO_FAMILIES}
FAMILIES_BY_FRANCE_CONNECT_TOKEN = {family.france_connect_token: family for family in DEMO_FAMILIES}

# FranceConnect tokens the simulator treats as expired (401 00103), as upstream does for a stale session.
EXPIRED_FRANCE_CONNECT_TOKENS = {"fc-demo-expire"}
