"""`load_initial_data` refuses to publish the demo's known passwords outside development and tests, unless
told explicitly (each test on a database without the demo)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_the_demo_is_refused_outside_development_and_test_settings(db, settings):
    # Production settings: DEBUG off and no PORTAIL_DEMO_ALLOWED. The demo's passwords are published.
    settings.DEBUG = False
    settings.PORTAIL_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="--allow-published-credentials"):
        call_command("load_initial_data", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()


def test_the_demo_loads_outside_development_when_explicitly_allowed(db, settings):
    settings.DEBUG = False
    settings.PORTAIL_DEMO_ALLOWED = False
    call_command("load_initial_data", allow_published_credentials=True, stdout=StringIO())
    assert get_user_model().objects.filter(username="admin").exists()
