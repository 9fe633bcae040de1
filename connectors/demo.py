"""Demo content of the ``connectors`` app, loaded by ``manage.py load_initial_data`` (idempotent)."""


def load(*, stdout) -> None:
    """Create or update this app's demo content. Nothing yet."""
