"""Data sources that fill form fields, behind one interface: ``forms/`` calls a provider without knowing
which one it is.

A provider says what it needs from the family (``identity_form``: a Django form whose ``identity()`` and
``typed_values()`` give what to send and what to show again), the scopes it asks for a set of fields
(``scopes_for``), the fields it can fill (``fields``), the notice the family consents to (``offer``), how
it fetches (``fetch``: records the consent, then one call; a ``PrefillResult`` that never raises for the
source's failures, only ``ConsentRequired`` when the consent is not valid), how it fetches again for the
yearly QF check (``refresh``) and how one of its values takes
the shape of the form field it fills (``value_for``).

Where a new data source goes (FranceConnect, the CAF's EAJE route, a council's own directory): one class
here, registered in ``PROVIDERS``. API Particulier's QF by identity is the first.
"""

from datetime import date
from typing import Any

from . import services
from .forms import AllocataireIdentityForm
from .prefill import FILLABLE_FIELDS, FillableField, person_usual_case, scopes_for
from .selectors import PrefillOffer, prefill_offer
from .services import ConsentRequired, FamilyRefresh, PrefillResult

__all__ = ["PROVIDERS", "ConsentRequired", "FamilyRefresh", "PrefillResult", "Provider", "provider_for"]

# The roles of a person's fields (the form engine's role names) and where a person of an answer has them.
PERSON_ROLES = {"first_name": "prenoms", "last_name": "nom_naissance", "birth_date": "date_naissance"}


class Provider:
    """A data source that fills form fields with the family's consent."""

    name = ""
    label = ""
    fields: dict[str, FillableField] = {}
    identity_form = AllocataireIdentityForm

    def field_choices(self) -> list[tuple[str, str]]:
        """``(key, label)`` of the fields it fills, for the form builder."""
        return [(field.key, field.label) for field in self.fields.values()]

    def scopes_for(self, keys) -> list[str]:
        """The scopes needed to fill these fields (data minimisation: ask only for these)."""
        raise NotImplementedError

    def offer(self, *, council, keys) -> PrefillOffer | None:
        """The notice the family consents to, or None when the council may not use this source."""
        raise NotImplementedError

    def fetch(self, *, council, user, identity, keys, consent_text_version: str) -> PrefillResult:
        """Record the family's consent, then fetch the values of ``keys`` (``PrefillResult.values``)."""
        raise NotImplementedError

    def refresh(self, *, council, users, month: date | None = None) -> FamilyRefresh:
        """The yearly check of one family (its accounts ``users``): fetch again, for ``month``, under the
        identity and consent it gave, or say why not (``FamilyRefresh.state``). Never raises for the
        source's failures."""
        raise NotImplementedError

    def value_for(self, value: Any, *, shape: str, item_roles: dict[str, str]) -> Any:
        """A value in the shape of the field it fills: ``shape`` is the field kind's ``prefill_target``
        ("simple", "address", "group"); ``item_roles`` maps a group's item keys to their roles."""
        return value


class ApiParticulierQf(Provider):
    """API Particulier's family quotient (CNAF or MSA) by the benefit holder's identity, with the blocks
    its scopes cover: benefit holders, children, address."""

    name = "api_particulier_qf"
    label = "API Particulier"
    fields = FILLABLE_FIELDS

    def scopes_for(self, keys) -> list[str]:
        return scopes_for(keys)

    def offer(self, *, council, keys) -> PrefillOffer | None:
        return prefill_offer(council=council, scopes=self.scopes_for(keys))

    def fetch(self, *, council, user, identity, keys, consent_text_version: str) -> PrefillResult:
        scopes = self.scopes_for(keys)
        consent = services.consent_record(user=user, council=council, scopes=scopes, text_version=consent_text_version)
        return services.qf_fetch(council=council, user=user, identity=identity, scopes=scopes, consent=consent)

    def refresh(self, *, council, users, month: date | None = None) -> FamilyRefresh:
        return services.qf_refresh_family(
            council=council,
            users=users,
            annee=month.year if month else None,
            mois=month.month if month else None,
        )

    def value_for(self, value: Any, *, shape: str, item_roles: dict[str, str]) -> Any:
        if shape == "address" and isinstance(value, dict):
            postcode, _sep, city = (value.get("code_postal_ville") or "").strip().partition(" ")
            return {
                "street": value.get("numero_libelle_voie") or value.get("lieu_dit") or "",
                "complement": value.get("complement_information") or "",
                "postcode": postcode,
                "city": city.strip(),
            }
        if shape == "group" and isinstance(value, list):
            wanted = {key: PERSON_ROLES[role] for key, role in item_roles.items() if role in PERSON_ROLES}
            # "NOE PAUL" is shown as "Noe Paul"; the raw value stays in the provenance.
            people = map(person_usual_case, value)
            return [{key: person[source] for key, source in wanted.items() if person.get(source)} for person in people]
        return value


PROVIDERS: dict[str, Provider] = {provider.name: provider for provider in [ApiParticulierQf()]}
DEFAULT_PROVIDER = ApiParticulierQf.name


def provider_for(name: str = "") -> Provider:
    """The provider of a prefill block (the first one when the block names none)."""
    return PROVIDERS[name or DEFAULT_PROVIDER]
