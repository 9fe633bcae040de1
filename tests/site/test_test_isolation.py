"""The suite's own footing: a test starts from the database as migrated, whatever ran before it on its
worker (pytest-xdist's worksteal runs any test after any other)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Collection, Locale, Page


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_wagtails_tree_roots_and_locale_are_back():
    """A transactional test ends with a flush, which empties what Wagtail's migrations made: the roots of
    the page and collection trees and the locale come back, so that the next test can add a council."""
    call_command("flush", interactive=False, verbosity=0)
    assert Page.get_first_root_node() is not None
    assert Collection.get_first_root_node() is not None
    assert Locale.objects.filter(language_code=settings.LANGUAGE_CODE).exists()
    assert Page.objects.count() == 1 and Collection.objects.count() == 1
