"""End-to-end journeys: the real app over HTTP (live server, real database), the API Particulier
simulator on loopback, and Debian's Chromium driven by Playwright.

Every test in this folder is marked ``e2e`` (run them alone with ``-m e2e``). Without Chromium they are
skipped, and the run ends with a loud line saying so: a skipped browser suite is never silent.
Each journey saves a screenshot per step under ``e2e-artifacts/<test name>/``.
"""

import os
import re
import shutil
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

# Playwright's sync API keeps an event loop in the test thread while the test's own ORM calls (and the
# database flush between tests) stay synchronous: Django's async-safety guard must be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_DIR / "e2e-artifacts"
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not AXE_SCRIPT.exists():
        return "axe-core is not installed (npm ci --prefix tests/e2e)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = chromium_missing_reason()
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"E2E NOT RUN: {reason}"))


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "E2E NOT RUN" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep(
            "!", f"{len(skipped)} END-TO-END JOURNEYS WERE NOT RUN: {chromium_missing_reason()}", red=True, bold=True
        )


@pytest.fixture(scope="session")
def simulator():
    from connectors.api_particulier.simulator.server import start_simulator

    server, _url = start_simulator()
    yield server
    server.stop()


def reference_pattern() -> re.Pattern:
    """A dossier reference filed now: references carry the year of filing (``DF-<year>-000123``)."""
    return re.compile(rf"DF-{timezone.now().year}-\d{{6}}")


def assert_email_links_answer(page, messages) -> list[str]:
    """Every link of these emails opens a page of the live server (HTTP 200 after redirects): links come
    from the council's site, with the port the portal is served on."""
    links = sorted({link for message in messages for link in re.findall(r"https?://[^\s«»]+", message.body)})
    assert links, "these emails carry no link"
    for link in links:
        assert page.request.get(link).status == 200, link
    return links


class Portal:
    """URLs of the demo councils served by the live server."""

    def __init__(self, live_server_url: str):
        self.port = int(live_server_url.rsplit(":", 1)[1])
        self.valmont = f"http://localhost:{self.port}"
        self.bellerive = f"http://bellerive.localhost:{self.port}"


@pytest.fixture
def portal(live_server, transactional_db, simulator, demo_copy, settings, monkeypatch) -> Portal:
    settings.API_PARTICULIER_BASE_URL = simulator.base_url
    settings.ALLOWED_HOSTS = ["*"]
    portal = Portal(live_server.url)
    # As `make run` does: the demo sites get the port they are served on (an unusual one here).
    monkeypatch.setenv("PORT", str(portal.port))
    if demo_copy.taken:
        demo_copy.restore()
    else:
        call_command("load_initial_data", stdout=StringIO())
        demo_copy.take()
    return portal


class DemoCopy:
    """The demo as ``load_initial_data`` built it for the first journey of this test process, copied aside
    so that the next journeys start from the same demo copied back (a journey ends with a flush): a second
    or two instead of building the demo again. Sequences go on from where the last journey left them, so
    the rows a journey creates never take the id of an earlier journey's.

    On PostgreSQL, the tables that the flush empties, copied into the schema ``e2e_demo``. On SQLite, the
    whole database, with SQLite's backup API (into memory, and back): Wagtail's full-text index is there a
    virtual table outside Django's models, which the flush leaves as it is; it comes back with the rows it
    indexes (rows copied back beside a stale index made a later journey's publish fail to index its page).
    """

    SCHEMA = "e2e_demo"

    def __init__(self):
        self.taken = False
        self.sqlite_copy = None

    def tables(self, connection) -> list[str]:
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        return [connection.ops.quote_name(name) for name in sorted(names)]

    def take(self) -> None:
        from django.db import connection

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite_copy = sqlite3.connect(":memory:")
            connection.connection.backup(self.sqlite_copy)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE; CREATE SCHEMA {self.SCHEMA}")
                for table in self.tables(connection):
                    cursor.execute(f"CREATE TABLE {self.SCHEMA}.{table} AS TABLE {table}")
        self.taken = True

    def restore(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        if connection.vendor == "sqlite":
            self.restore_sqlite(connection)
        else:
            self.restore_postgresql(connection)
        # Django remembers content types by id: those of the copy replace the ones the last flush made.
        ContentType.objects.clear_cache()

    def restore_sqlite(self, connection) -> None:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            sequences = cursor.fetchall()
        self.sqlite_copy.backup(connection.connection)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq < %s",
                [(seq, name, seq) for name, seq in sequences],
            )

    def restore_postgresql(self, connection) -> None:
        from django.db import transaction

        # Table names from Django's own models, quoted by the backend (S608: no outside input). As the
        # project's flush does on PostgreSQL: as a replica, the triggers (evidence, foreign keys) stand
        # aside; DELETE rather than TRUNCATE, as the tables are nearly empty after the last journey's flush.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table in self.tables(connection):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {self.SCHEMA}.{table}")  # noqa: S608


@pytest.fixture(scope="session")
def demo_copy():
    return DemoCopy()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# The two widths the family journeys run at: a laptop, and a phone (RGAA: no sideways scroll at 390 px).
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BOTH_WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["1280x800", "390x844"])


class Journey:
    """A browser tab that keeps a numbered screenshot of each step of the journey."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0

    @property
    def is_phone(self) -> bool:
        return self.page.viewport_size["width"] < 600

    def step(self, name: str) -> None:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{slug}.png"), full_page=True)

    def audit(self, name: str) -> None:
        """Screenshot, then axe-core on the page: no serious or critical violation allowed; and outside the
        admin, nothing wider than the window (no sideways scroll, at any width)."""
        self.step(name)
        assert_accessible(self.page, name)
        if "/admin/" not in self.page.url:
            assert_no_sideways_scroll(self.page, name)


def assert_no_sideways_scroll(page, name: str) -> None:
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{name} ({page.url}) scrolls sideways: {width} px of content in a {window} px window"


def assert_accessible(page, name: str) -> None:
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run `npm ci --prefix tests/e2e`"
    # Evaluated through the DevTools protocol, not added as an inline <script> that the page's
    # Content-Security-Policy would (rightly) refuse.
    page.evaluate(AXE_SCRIPT.read_text())
    # Colours are measured once the page's animations have ended (the admin's messages slide in): at most 2 s.
    page.evaluate(
        "() => Promise.race([Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))),"
        " new Promise((done) => setTimeout(done, 2000))])"
    )
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
    assert not bad, f"accessibility violations on {name} ({page.url}):\n{details}"


@pytest.fixture
def viewport(request) -> dict:
    """The window size of a journey: 1280 x 800 unless the test is parametrized (``BOTH_WIDTHS``)."""
    return getattr(request, "param", DESKTOP)


@pytest.fixture
def journey(browser, request, viewport):
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(locale="fr-FR", viewport=viewport, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = watch_csp_violations(context)
    trip = Journey(page, folder)
    yield trip
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        trip.step("failure")
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def watch_csp_violations(context) -> list[str]:
    """Every Content-Security-Policy violation of the journey's pages (the journey fails on any)."""
    violations: list[str] = []
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));"
    )

    def on_console(message):
        text = message.text
        if "CSP violation" in text or ("Refused to" in text and "Content Security Policy" in text):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", on_console)
    return violations


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
