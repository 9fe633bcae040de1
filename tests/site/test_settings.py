"""Production settings refuse unsafe configurations and pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7$k2!pQz9@Lm4#Rt8^Wv1&Yb6*Nc3(Hd5)Jf0_Gs" + "A1b2C3d4E5"


def run_with_production_settings(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "site.settings.production", **env})
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", f"import manage; {code}"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env) -> subprocess.CompletedProcess:
    return run_with_production_settings("import django; django.setup()", **env)


def test_production_starts_when_configured():
    result = load_settings(DJANGO_SECRET_KEY=GOOD_SECRET, DJANGO_ALLOWED_HOSTS="portail.example.fr")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "portail.example.fr"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "portail.example.fr"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": GOOD_SECRET}, "DJANGO_ALLOWED_HOSTS"),
        (
            {"DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "portail.example.fr", "DJANGO_DEBUG": "1"},
            "DEBUG",
        ),
    ],
    ids=["default-secret", "weak-secret", "no-hosts", "debug-on"],
)
def test_production_refuses_unsafe_configuration(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = run_with_production_settings(
        "from django.core.management import execute_from_command_line as run; "
        "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="portail.example.fr,.portail.example.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_need_no_service(settings):
    """The embedded default: SQLite (unless DATABASE_URL says otherwise) and a local-memory cache."""
    if "DATABASE_URL" not in os.environ:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if "REDIS_URL" not in os.environ:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_object_storage_is_chosen_by_the_environment_and_keeps_files_private():
    result = run_with_production_settings(
        "from django.conf import settings; import json; print(json.dumps(settings.STORAGES, default=str))",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="portail.example.fr",
        S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        S3_REGION="fr-par",
        S3_PRIVATE_BUCKET="portail-prive",
        S3_MEDIA_BUCKET="portail-medias",
        S3_MEDIA_CUSTOM_DOMAIN="medias.portail.example.fr",
    )
    assert result.returncode == 0, result.stderr
    storages = json.loads(result.stdout.strip().splitlines()[-1])
    private, media = storages["private"], storages["default"]
    assert private["BACKEND"] == media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["OPTIONS"]["bucket_name"] == "portail-prive"
    assert private["OPTIONS"]["default_acl"] == "private" and private["OPTIONS"]["querystring_auth"] is True
    assert private["OPTIONS"]["querystring_expire"] <= 60
    assert private["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert media["OPTIONS"]["custom_domain"] == "medias.portail.example.fr"


def test_without_object_storage_files_stay_on_the_local_disk():
    result = run_with_production_settings(
        "from django.conf import settings; print(settings.STORAGES['private']['BACKEND'], "
        "settings.STORAGES['default']['BACKEND'])",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="portail.example.fr",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.files.storage.FileSystemStorage"] * 2


ASGI_REQUEST = """
import asyncio
sent, received = [], []
async def receive():
    if received:  # the client stays connected until the response is sent
        await asyncio.Event().wait()
    received.append(1)
    return {"type": "http.request", "body": b"", "more_body": False}
async def send(message):
    sent.append(message)
scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
         "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
         "headers": [(b"host", b"portail.example.fr")], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
asyncio.run(APP(scope, receive, send))
start = sent[0]
headers = {name.lower(): value for name, value in start["headers"]}
print(start["status"], headers.get(b"location", b"").decode())
"""


@pytest.mark.parametrize(
    "entry_point",
    ["APP = manage.asgi_application", "import site.asgi; APP = site.asgi.application"],
    ids=["manage-asgi_application", "import-site.asgi"],
)
def test_asgi_application_serves_a_request_like_wsgi(entry_point):
    """An ASGI server gets the same app as gunicorn: here, production's redirect of plain HTTP to HTTPS."""
    result = run_with_production_settings(
        f"{entry_point}\n{ASGI_REQUEST}",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="portail.example.fr",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["301", "https://portail.example.fr/"]
