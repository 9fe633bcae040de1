"""The flows of personal data a council's privacy page ("Données personnelles") lists.

``home`` never imports the apps that exchange data with other administrations: each answers the
``home_personal_data_flows`` hook, ``fn(council) -> Iterable[PersonalDataFlow]`` (``connectors`` gives one
flow per authorisation in force), and the council's privacy page lists them as they are when it is read,
so that it stays in step with the authorisations.
"""

from dataclasses import dataclass

from wagtail import hooks

PERSONAL_DATA_FLOWS_HOOK = "home_personal_data_flows"


@dataclass(frozen=True)
class PersonalDataFlow:
    """One flow: which data, from which administration, what for, on which legal basis, kept how long, and
    whom to write to (in French, as the family reads it)."""

    data: tuple[str, ...]
    source: str
    purpose: str
    legal_basis: str
    retention: str
    contact: str
    reference: str = ""


def personal_data_flows(*, council) -> list[PersonalDataFlow]:
    return [flow for fn in hooks.get_hooks(PERSONAL_DATA_FLOWS_HOOK) for flow in fn(council)]
