"""The portal on two app servers behind HAProxy, as deploy/Procfile and deploy/haproxy.cfg deploy it.

Two gunicorn servers (production settings), one tasks worker, HAProxy (TLS, round-robin, no sticky
sessions), one PostgreSQL, one Redis and a local S3 server (moto): a family moves from one server to
the other in the middle of its dossier, an agent opens its file from either, pages published on one
show at once on the other, the API Particulier budget is one for all, and a short load through the
balancer loses nothing when one server stops. Everything binds to 127.0.0.1 and stops at the end.
"""

import asyncio
import logging
import shutil
import subprocess
import sys

import httpx
import pytest

from bench import multiserver
from bench.multiserver import PDF, PRIVATE_BUCKET, Cluster

LOAD_FAMILIES = 20


@pytest.fixture(autouse=True)
def _quiet_http_log(caplog):
    caplog.set_level(logging.WARNING, logger="httpx")


@pytest.fixture(scope="module")
def cluster():
    assert shutil.which("haproxy") or shutil.which("/usr/sbin/haproxy"), "HAProxy is not installed"
    with Cluster(families=LOAD_FAMILIES) as started:
        yield started


class Visitor:
    """A browser, reduced to what matters here: its cookies, sent to whichever server we choose.

    ``balancer`` is the HTTPS address families use; ``web1`` and ``web2`` reach one app server directly,
    with the header HAProxy adds (``X-Forwarded-Proto: https``), to choose who answers.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.cookies: dict[str, str] = {}
        self.client = httpx.Client(verify=cluster.ssl_context(), timeout=120)

    def request(self, where: str, method: str, path: str, **kwargs) -> httpx.Response:
        base = self.cluster.base_url(where)
        origin = f"https://127.0.0.1:{self.cluster.ports[where]}"
        for _ in range(10):  # redirects, followed on the same server
            headers = {"Origin": origin, "X-Forwarded-Proto": "https", "X-CSRFToken": self.cookies.get("csrftoken", "")}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            self.client.cookies.clear()
            response = self.client.request(method, base + path, headers=headers, **kwargs)
            for cookie in response.cookies.jar:
                if cookie.value:
                    self.cookies[cookie.name] = cookie.value
                else:
                    self.cookies.pop(cookie.name, None)
            if response.status_code not in (301, 302, 303):
                return response
            path = httpx.URL(response.headers["location"]).raw_path.decode()
            method, kwargs = "GET", {}
        raise AssertionError(f"too many redirects from {path}")

    def get(self, where: str, path: str) -> httpx.Response:
        return self.request(where, "GET", path)

    def post(self, where: str, path: str, data=None, files=None) -> httpx.Response:
        return self.request(where, "POST", path, data=data or {}, files=files)

    def staff_login(self, where: str, username: str, code: str) -> None:
        self.get(where, "/admin/login/")
        response = self.post(where, "/admin/login/", {"username": username, "password": "demo-staff-2026"})
        assert "/admin/otp/verify/" in str(response.url), response.text[:500]
        response = self.post(where, response.url.raw_path.decode(), {"code": code})
        assert response.status_code == 200 and "/admin/otp/" not in str(response.url), response.text[:500]


def test_a_family_moves_between_servers_and_an_agent_opens_its_file_from_either(cluster):
    page = cluster.fixtures["form_url"]
    family = Visitor(cluster)
    # Signs in and fills the first step, with its file, on server 1.
    assert family.get("web1", "/compte/login/").status_code == 200
    response = family.post(
        "web1", "/compte/login/", {"login": "famille.lambert@example.fr", "password": "demo-famille-2026"}
    )
    assert response.status_code == 200 and "/compte/login/" not in str(response.url)
    assert family.post("web1", page).status_code == 200
    response = family.post(
        "web1",
        f"{page}etape/1/",
        {"nom": "Lambert"},
        files={"justificatif": ("justificatif-domicile.pdf", PDF, "application/pdf")},
    )
    assert response.url.path.endswith("/etape/2/"), response.text[:500]
    # Resumes on server 2: its answers and its file are there; sends the dossier from there.
    response = family.get("web2", f"{page}etape/1/")
    assert 'value="Lambert"' in response.text and "justificatif-domicile.pdf" in response.text
    assert family.post("web2", f"{page}etape/2/", {"cp": "21990"}).url.path.endswith("/verifier/")
    response = family.post("web2", f"{page}verifier/")
    assert response.status_code == 200
    reference = cluster.sql("SELECT reference FROM forms_dossier WHERE form_page_id = %s", cluster.fixtures["form_id"])
    assert len(reference) == 1 and reference[0][0] in response.text
    assert reference[0][0] in family.get("web1", "/espace-famille/").text
    # The file is in the private bucket, encrypted, and on no server's disk.
    (token, path), *_ = cluster.sql("SELECT uuid, path FROM forms_dossierfile ORDER BY id DESC LIMIT 1")
    body = cluster.s3().get_object(Bucket=PRIVATE_BUCKET, Key=path)["Body"].read()
    assert body.startswith(b"gAAAAA") and PDF not in body
    assert not [p for p in (cluster.tmp / "local-private-media").rglob("*") if p.is_file()]
    # The family downloads it from server 1; the agent of Valmont signs in on server 2 and opens it
    # through the balancer, answered once by each server; another family gets nothing.
    response = family.get("web1", f"/fichiers/{token}/")
    assert response.status_code == 200 and response.content == PDF
    agent = Visitor(cluster)
    agent.staff_login("web2", "agent.valmont", "valmon01")
    served = set()
    for _ in range(2):
        response = agent.get("balancer", f"/fichiers/{token}/")
        assert response.status_code == 200 and response.content == PDF
        served.add(response.headers["x-served-by"])
    assert served == {"web1", "web2"}
    stranger = Visitor(cluster)
    stranger.get("balancer", "/compte/login/")
    assert stranger.get("balancer", f"/fichiers/{token}/").url.path.startswith("/compte/login/")


def test_a_page_published_on_one_server_shows_at_once_on_the_other(cluster):
    visitor = Visitor(cluster)
    for where in ("web1", "web2", "web2"):  # each server remembers the home page and the missing page
        assert visitor.get(where, "/").status_code == 200
        assert visitor.get(where, "/horaires-ete/").status_code == 404
    council = cluster.sql(
        "SELECT p.id FROM wagtailcore_page p JOIN home_councilhomepage c ON c.page_ptr_id = p.id "
        "WHERE p.slug = 'valmont'"
    )[0][0]
    editor = Visitor(cluster)
    editor.staff_login("web1", "editeur.valmont", "valmon01")
    body = (
        '{"blocks": [{"key": "a", "type": "unstyled", "text": "Ouvert tout l\'été", "depth": 0, '
        '"inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}'
    )
    response = editor.post(
        "web1",
        f"/admin/pages/add/home/standardpage/{council}/",
        {"title": "Horaires d'été", "slug": "horaires-ete", "body": body, "action-publish": "1"},
    )
    assert response.status_code == 200
    for where in ("web2", "web1"):
        response = visitor.get(where, "/horaires-ete/")
        assert response.status_code == 200 and "Ouvert tout l" in response.text


def test_the_api_particulier_budget_is_shared_by_every_process(cluster):
    """Two processes with the servers' environment draw from one budget per token and second: what one
    took, the other cannot take again (the counters live in Redis, not in a process)."""
    code = (
        "import manage, django; django.setup(); "
        "from connectors.gateway import CacheCounterStore; "
        "from connectors.api_particulier.ratelimit import WindowRateLimiter; "
        # A one-minute window (the counters live a little longer) so that a slow machine cannot make
        # them expire between the two draws; the production window is one second.
        "limiter = WindowRateLimiter(limit=19, window=60, store=CacheCounterStore(), clock=lambda: 60_000_030.0); "
        "print('ready', flush=True); times = int(input()); "
        "print(max(limiter.acquire('jeton-partage') for _ in range(times)), flush=True)"
    )
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", code],
            cwd=multiserver.PROJECT_DIR,
            env=cluster.env_for_commands(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        assert [process.stdout.readline().strip() for process in processes] == ["ready", "ready"]
        waits = []
        for process, times in zip(processes, (19, 1), strict=True):
            process.stdin.write(f"{times}\n")
            process.stdin.flush()
            waits.append(float(process.stdout.readline()))
        assert waits[0] == 0.0  # the first process took the whole second's budget...
        assert waits[1] > 0  # ...so the second one must wait for the next window
    finally:
        for process in processes:
            process.kill()
            process.wait()


def test_load_through_the_balancer_loses_nothing_when_a_server_stops(cluster):
    result = asyncio.run(multiserver.load(cluster, duration=20, concurrency=8, stop_at=10))
    check = multiserver.check_nothing_lost(cluster, families=LOAD_FAMILIES)
    print(f"\n[multiserver] load through the balancer: {result}\n[multiserver] after the stop: {check}")
    assert result["stopped_web2"] and not cluster.processes.get("web2")
    assert result["errors"] == 0, result["error_samples"]
    assert result["families_done"] == LOAD_FAMILIES
    # The test family of the first test sent one more dossier of the same form.
    assert check["dossiers"] == LOAD_FAMILIES + 1 and check["files"] == LOAD_FAMILIES + 1
    assert check["files_missing_in_bucket"] == 0 and check["files_unencrypted"] == 0
    assert check["files_on_local_disk"] == 0
