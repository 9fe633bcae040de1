"""Shared fixtures: two councils on two hostnames, their staff, families, and OTP-verified clients.

Builders are plain functions (``make_council``, ``make_staff``, ``make_family``) so that tests can make
more of them; fixtures are the usual two councils A and B.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_migrate
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from wagtail.models import Page, Site

from home.models import CouncilHomePage

# The suite runs on small shared machines (2 cores, several runs at once): a property test must not fail
# because the machine was busy. No deadline and no "too slow" health check; the number of examples is
# unchanged. Select another profile with HYPOTHESIS_PROFILE (e.g. "default").
hypothesis_settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shared-machine"))


def make_council(slug: str, *, hostname: str, siret: str, default: bool = False, **fields) -> CouncilHomePage:
    root = Page.get_first_root_node()
    council = CouncilHomePage(
        title=fields.pop("title", f"Ville de {slug.title()}"),
        slug=slug,
        official_name=fields.pop("official_name", f"Ville de {slug.title()}"),
        siret=siret,
        insee_code=fields.pop("insee_code", "21990"),
        address=fields.pop("address", "1 place de la Mairie\n21990 Ville"),
        email=fields.pop("email", f"contact@{slug}.example.fr"),
        dpo_email=fields.pop("dpo_email", f"dpo@{slug}.example.fr"),
        **fields,
    )
    root.add_child(instance=council)
    council.save_revision().publish()
    Site.objects.create(hostname=hostname, port=80, root_page=council, is_default_site=default, site_name=slug)
    return council


def make_editor_group(council: CouncilHomePage):
    from home.staff import editor_group_ensure

    return editor_group_ensure(council)


def make_staff(username: str, *, groups=(), superuser: bool = False, password: str = "staff-password-123"):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.fr", password=password, is_superuser=superuser
    )
    user.groups.set(groups)
    return user


def make_family(email: str = "famille@example.fr", password: str = "famille-password-123"):
    """A family account (not staff) whose email is verified, as after allauth's sign-up."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def otp_client(user, *, host: str = "localhost") -> Client:
    """A client logged in as ``user`` whose session has passed the second factor."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def council_a(db) -> CouncilHomePage:
    _remove_welcome_site()
    return make_council("valmont", hostname="localhost", siret="21219990500010", default=True)


@pytest.fixture
def council_b(db, council_a) -> CouncilHomePage:
    return make_council("bellerive", hostname="bellerive.localhost", siret="21219991300014", insee_code="21991")


@pytest.fixture
def editor_a(council_a):
    return make_staff("editeur.a", groups=[make_editor_group(council_a)])


@pytest.fixture
def editor_b(council_b):
    return make_staff("editeur.b", groups=[make_editor_group(council_b)])


@pytest.fixture
def family(db):
    return make_family()


@pytest.fixture
def other_family(db):
    return make_family("autre.famille@example.fr")


def _remove_welcome_site() -> None:
    Site.objects.all().delete()
    Page.objects.filter(depth=2).delete()


def restore_tree_roots(*, app_config, **_signal) -> None:
    """Transactional tests (the browser journeys, concurrency tests) end with a flush, which also removes
    what Wagtail's migrations created: its locale and the roots of the page and collection trees. The
    flush then sends ``post_migrate``, as ``migrate`` does: the roots come back there, so that every
    test, whatever ran before it on its worker, starts from the database as migrated."""
    from django.conf import settings
    from wagtail.models import Collection, Locale

    if app_config.label != "wagtailcore":
        return
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(title="Root", slug="root")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


post_migrate.connect(restore_tree_roots, dispatch_uid="tests.restore_tree_roots")


def loaded_once(load):
    """A module-scoped fixture: ``load()`` (the demo, say) runs once for the tests of a module, which
    then each run in their own savepoint (pytest-django's ``db``) inside the module's transaction, rolled
    back after the module's last test. For tests that read what was loaded; what a test writes is rolled
    back with its savepoint, as usual."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            yield load()
            transaction.set_rollback(True)

    return fixture


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, cached form steps), also on Redis."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
