"""The ground floor (see ARCHITECTURE.md): small helpers every app may import, which import no app.

- ``common.crypto``: encryption at rest (API tokens, consented identities, families' uploads);
- ``common.spreadsheet``: spreadsheet cells safe from formulas, and the one CSV dialect of every export;
- ``common.memo``: values remembered per *pages version*, a token in the shared cache replaced whenever
  the page tree changes.

Not a Django app: no models, templates or translations.
"""
