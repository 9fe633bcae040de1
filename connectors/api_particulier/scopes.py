"""DataPass scope names of the quotient familial routes and the response blocks each one opens."""

from collections.abc import Iterable

ROUTE_QF_IDENTITE = "/v3/dss/quotient_familial/identite"
ROUTE_QF_FRANCE_CONNECT = "/v3/dss/quotient_familial/france_connect"
ROUTE_INTROSPECT = "/api/introspect"
ROUTE_PINGS = "/api/pings"
# Per-provider ping route (no token, no quota): /api/<name>/ping.
PING_QF = "cnaf_msa_quotient_familial"

SCOPE_QF = "cnaf_quotient_familial"
SCOPE_ALLOCATAIRES = "cnaf_allocataires"
SCOPE_ENFANTS = "cnaf_enfants"
SCOPE_ADRESSE = "cnaf_adresse"

# Scope -> the block of ``data`` it opens (upstream: siade_authorizations_api_particulier.yml).
QF_SCOPE_BLOCKS = {
    SCOPE_QF: "quotient_familial",
    SCOPE_ALLOCATAIRES: "allocataires",
    SCOPE_ENFANTS: "enfants",
    SCOPE_ADRESSE: "adresse",
}
QF_SCOPES = tuple(QF_SCOPE_BLOCKS)


def blocks_for(scopes: Iterable[str]) -> set[str]:
    """The ``data`` blocks that these scopes open on the QF routes."""
    return {QF_SCOPE_BLOCKS[scope] for scope in scopes if scope in QF_SCOPE_BLOCKS}


def mask(data: dict, scopes: Iterable[str]) -> dict:
    """Keep only the blocks of a QF ``data`` object that ``scopes`` cover (production masks, staging does not)."""
    allowed = blocks_for(scopes)
    return {key: value for key, value in data.items() if key in allowed}
