"""The portal on several app servers, as deployed: ``deploy/Procfile`` and ``deploy/haproxy.cfg``.

``Cluster`` (a context manager) starts, all on loopback: a local S3-compatible server (moto) with a
private and a public bucket, an SMTP sink, then from the Procfile two app servers (gunicorn, production
settings), one tasks worker and HAProxy (TLS, round-robin, no sticky sessions) in front of them, over
one PostgreSQL database (recreated) and one Redis database (emptied). On exit it stops every process it
started, by its own process group, even after a failure, and drops the database.

Used by the multi-server test (``tests/multiserver/``) and by ``make bench-multiserver``
(``python -m bench.multiserver load``): families fill and send a dossier with a file through the
balancer while one app server is stopped mid-run.
"""

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import manage

PROJECT_DIR = manage.PROJECT_DIR
PROCFILE = PROJECT_DIR / "deploy" / "Procfile"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION = "portail-multiserveur", "portail-multiserveur-secret", "fr-par"
PRIVATE_BUCKET, MEDIA_BUCKET = "portail-prive", "portail-medias"
# A small PDF (magic bytes and all) that families upload.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
FORM_SLUG = "inscription-multiserveur"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's process types: ``{"web": "exec .venv/bin/gunicorn ...", ...}``."""
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost: (PEM with the key, for HAProxy; PEM of the certificate)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    bundle, cert = directory / "balancer.pem", directory / "balancer.crt"
    bundle.write_bytes(cert_pem + key_pem)
    bundle.chmod(0o600)
    cert.write_bytes(cert_pem)
    return bundle, cert


def wait_until(check, *, what: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    """Call ``check()`` until it returns true (bounded by ``timeout``); fail early if ``process`` died."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:  # noqa: S110 (not ready yet: asked again below)
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process ended with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready within {timeout:.0f} s")
        time.sleep(0.25)


class Cluster:
    """Everything the portal needs on several app servers, on loopback, started from deploy/Procfile."""

    def __init__(self, *, families: int = 1, database: str | None = None, redis_db: int | None = None) -> None:
        self.families = families
        self.database = database or os.environ.get("MULTISERVER_DATABASE", "portail_multiserveur")
        self.redis_db = int(redis_db if redis_db is not None else os.environ.get("MULTISERVER_REDIS_DB", "12"))
        self.tmp = Path(tempfile.mkdtemp(prefix="portail-multiserveur-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports = {name: free_port() for name in ("web1", "web2", "balancer", "s3", "smtp")}
        self.env: dict[str, str] = {}
        self.fixtures: dict = {}

    # Addresses --------------------------------------------------------------------------------

    def base_url(self, where: str) -> str:
        """``balancer`` (HTTPS, as families reach it) or an app server ``web1``/``web2`` (HTTP, behind it)."""
        scheme = "https" if where == "balancer" else "http"
        return f"{scheme}://127.0.0.1:{self.ports[where]}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["S3_ENDPOINT_URL"],
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def sql(self, query: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(query, params).fetchall()

    # Start ------------------------------------------------------------------------------------

    def __enter__(self) -> "Cluster":
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.bundle, self.cert = self_signed_certificate(self.tmp)
        self._recreate_database()
        self.env = {
            "DJANGO_SETTINGS_MODULE": "site.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "API_PARTICULIER_ENCRYPTION_KEY": _fernet_key(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "S3_ENDPOINT_URL": self.base_url("s3"),
            "S3_REGION": S3_REGION,
            "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "S3_PRIVATE_BUCKET": PRIVATE_BUCKET,
            "S3_MEDIA_BUCKET": MEDIA_BUCKET,
            "DJANGO_STATIC_ROOT": str(self.tmp / "static"),
            # Nothing may land on an app server's disk: these folders must stay empty.
            "DJANGO_MEDIA_ROOT": str(self.tmp / "local-media"),
            "DJANGO_PRIVATE_MEDIA_ROOT": str(self.tmp / "local-private-media"),
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(self.ports["smtp"]),
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
            "API_PARTICULIER_BASE_URL": "http://127.0.0.1:9",  # never called by these journeys
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self._flush_redis()
        self._spawn(
            "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.ports["s3"])], shell=False
        )
        self._spawn(
            "smtp",
            [
                sys.executable,
                "-W",
                "ignore",
                "-m",
                "smtpd",
                "-n",
                "-c",
                "DebuggingServer",
                f"127.0.0.1:{self.ports['smtp']}",
            ],
            shell=False,
        )
        wait_until(lambda: self.s3().list_buckets() is not None, what="S3 server (moto)", process=self.processes["s3"])
        for bucket in (PRIVATE_BUCKET, MEDIA_BUCKET):
            self.s3().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
        self._setup_portal()
        commands = procfile()
        self._spawn("web1", commands["web"], extra={"PORT": str(self.ports["web1"])})
        self._spawn("web2", commands["web"], extra={"PORT": str(self.ports["web2"])})
        self._spawn("worker", commands["worker"])
        self._spawn(
            "balancer",
            commands["balancer"],
            extra={
                "PORTAIL_BIND": f"127.0.0.1:{self.ports['balancer']}",
                "PORTAIL_TLS_CERT": str(self.bundle),
                "PORTAIL_WEB1": f"127.0.0.1:{self.ports['web1']}",
                "PORTAIL_WEB2": f"127.0.0.1:{self.ports['web2']}",
            },
        )
        for name in ("web1", "web2"):
            wait_until(lambda name=name: self.server_up(name), what=name, process=self.processes[name])
        wait_until(self._balancer_reaches_both, what="balancer", process=self.processes["balancer"])

    def _recreate_database(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def _flush_redis(self) -> None:
        with socket.create_connection(("127.0.0.1", 6379), timeout=5) as sock:
            sock.sendall(f"SELECT {self.redis_db}\r\nFLUSHDB\r\n".encode())
            sock.recv(64)

    def _setup_portal(self) -> None:
        """Migrate, load the demo, collect static files, add the test form and families (``setup`` below)."""
        out = self.tmp / "fixtures.json"
        command = [sys.executable, "-m", "bench.multiserver", "setup", "--families", str(self.families)]
        result = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [*command, "--output", str(out)],
            cwd=PROJECT_DIR,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            raise RuntimeError(f"setting up the portal failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        self.fixtures = json.loads(out.read_text())
        print(result.stderr.strip(), file=sys.stderr)

    def _spawn(self, name: str, command, *, shell: bool = True, extra: dict | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 (the child owns it)
        process = subprocess.Popen(  # noqa: S603 (the Procfile's commands, or our own interpreter)
            ["/bin/sh", "-c", command] if shell else command,
            cwd=PROJECT_DIR,
            env={**os.environ, **self.env, **(extra or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, by its id
        )
        self.processes[name] = process
        return process

    def server_up(self, name: str) -> bool:
        import httpx

        response = httpx.get(f"{self.base_url(name)}/compte/login/", headers={"X-Forwarded-Proto": "https"}, timeout=5)
        return response.status_code == 200

    def _balancer_reaches_both(self) -> bool:
        import httpx

        with httpx.Client(verify=self.ssl_context(), timeout=5) as client:
            served = {
                client.get(f"{self.base_url('balancer')}/compte/login/").headers.get("x-served-by") for _ in range(4)
            }
        return served == {"web1", "web2"}

    # Stop -------------------------------------------------------------------------------------

    def stop(self, name: str, *, timeout: float = 40.0) -> None:
        """Stop one process the way a supervisor does: SIGTERM (gunicorn finishes the requests under way),
        then SIGKILL to its process group if it is still there after ``timeout`` seconds."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with contextlib.suppress(ProcessLookupError):  # what the group may have left behind
            os.killpg(process.pid, signal.SIGKILL)

    def env_for_commands(self) -> dict[str, str]:
        """The environment of the app servers, for a one-off ``manage.py`` command beside them."""
        return {**os.environ, **self.env}

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __exit__(self, *exc) -> None:
        for name in ("balancer", "web1", "web2", "worker", "smtp", "s3"):
            self.stop(name, timeout=15)
        for name in list(self.processes):
            self.stop(name, timeout=15)
        if os.environ.get("MULTISERVER_KEEP_DB") != "1":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# Set-up, run in a child process with the cluster's environment (production settings) -----------


def setup(*, families: int, output: Path) -> None:
    import django
    from django.core.management import call_command

    started = time.perf_counter()
    django.setup()
    quiet = open(os.devnull, "w")  # noqa: SIM115 (closed at exit)
    try:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    except Exception as error:
        if "placeholder" not in str(error):
            raise
        # As in bench/environment.py: home 0004 passes a literal "%" that psycopg 3 reads as a placeholder.
        call_command("migrate", "home", "0004", fake=True, verbosity=0, stdout=quiet)
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    print(f"[setup] migrated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    call_command("load_initial_data", allow_published_credentials=True, stdout=quiet)  # a throwaway database
    print(f"[setup] demo loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
    page = _form_page()
    sessions = _family_sessions(families)
    output.write_text(json.dumps({"form_url": page.get_url_parts()[2], "form_id": page.pk, "sessions": sessions}))


def _field(kind: str, key: str, label: str) -> dict:
    condition = {"field": "", "operator": "equals", "value": "", "reference_date": None}
    value = {"label": label, "key": key, "help_text": "", "required": True, "condition": condition, "health": False}
    return {"type": kind, "value": value}


def _step(title: str, *fields: dict) -> dict:
    condition = {"field": "", "operator": "equals", "value": "", "reference_date": None}
    return {"type": "step", "value": {"title": title, "intro": "", "condition": condition, "fields": list(fields)}}


def _form_page():
    """A two-step form of Valmont: a name and a proof of address (a file), then a postcode."""
    from forms.models import FormIndexPage, FormPage
    from home.models import CouncilHomePage

    council = CouncilHomePage.objects.get(slug="valmont")
    index = FormIndexPage.objects.child_of(council).first()
    steps = [
        _step("Vous", _field("short_text", "nom", "Nom"), _field("file", "justificatif", "Justificatif de domicile")),
        _step("Adresse", _field("postcode", "cp", "Code postal")),
    ]
    page = FormPage(title="Inscription (multi-serveurs)", slug=FORM_SLUG, steps=json.dumps(steps))
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _family_sessions(count: int) -> list[str]:
    """``count`` families with a verified email, each logged in (a session in the shared store): its key."""
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model

    users = []
    for number in range(count):
        email = f"famille-{number:04d}@multiserveur.example.fr"
        user = get_user_model()(username=email, email=email)
        user.set_unusable_password()
        users.append(user)
    users = get_user_model().objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users]
    )
    keys = []
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for user in users:
        store = store_class()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


# Load through the balancer -----------------------------------------------------------------

CSRF_TOKEN = "MultiServeurCsrfSecretMultiSrv32"  # noqa: S105 (not a secret: 32 characters, valid as cookie and token)


async def _family_journey(cluster: Cluster, session: str, context: ssl.SSLContext, record) -> bool:
    """One family through the balancer: start, step 1 with a file, step 2, send, family space."""
    import httpx

    base = cluster.base_url("balancer")
    page = cluster.fixtures["form_url"]
    headers = {"Origin": base, "X-CSRFToken": CSRF_TOKEN}
    cookies = {"sessionid": session, "csrftoken": CSRF_TOKEN}
    async with httpx.AsyncClient(
        base_url=base, verify=context, headers=headers, cookies=cookies, timeout=120
    ) as client:
        steps = [
            ("POST", page, {}, None, 302),
            ("GET", f"{page}etape/1/", None, None, 200),
            (
                "POST",
                f"{page}etape/1/",
                {"nom": "Martin"},
                {"justificatif": ("justificatif.pdf", PDF, "application/pdf")},
                302,
            ),
            ("GET", f"{page}etape/2/", None, None, 200),
            ("POST", f"{page}etape/2/", {"cp": "21990"}, None, 302),
            ("POST", f"{page}verifier/", {}, None, 302),
            ("GET", "/espace-famille/", None, None, 200),
        ]
        for method, path, data, files, expected in steps:
            start = time.perf_counter()
            try:
                response = await client.request(method, path, data=data, files=files)
                status, served = response.status_code, response.headers.get("x-served-by", "?")
            except httpx.HTTPError as error:
                status, served = type(error).__name__, "?"
            record(time.perf_counter() - start, status, expected, served, path)
            if status != expected:
                return False
    return True


async def load(cluster: Cluster, *, duration: float, concurrency: int, stop_at: float | None) -> dict:
    sessions = cluster.fixtures["sessions"]
    context = cluster.ssl_context()
    samples: list[tuple[float, object, object, str, str]] = []
    limit = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    stopped: dict = {}

    def record(seconds, status, expected, served, path):
        samples.append((seconds, status, expected, served, path))

    async def family(number: int, session: str) -> bool:
        await asyncio.sleep(number * duration / len(sessions))  # arrivals spread over the run
        async with limit:
            return await _family_journey(cluster, session, context, record)

    async def stopper() -> None:
        if stop_at is None:
            return
        await asyncio.sleep(stop_at)
        stopped["at"] = round(time.perf_counter() - started, 1)
        stopped["requests_before"] = len(samples)
        await asyncio.to_thread(cluster.stop, "web2")
        stopped["stopped_after"] = round(time.perf_counter() - started, 1)

    results = await asyncio.gather(stopper(), *(family(n, s) for n, s in enumerate(sessions)))
    elapsed = time.perf_counter() - started
    latencies = sorted(seconds for seconds, *_ in samples)

    def percentile(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0

    errors = [(str(status), path, served) for _s, status, expected, served, path in samples if status != expected]
    served_by: dict[str, int] = {}
    for *_, served, _path in samples:
        served_by[served] = served_by.get(served, 0) + 1
    return {
        "families": len(sessions),
        "families_done": sum(1 for ok in results[1:] if ok),
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_second": round(len(samples) / elapsed, 1),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "errors": len(errors),
        "error_samples": errors[:10],
        "served_by": served_by,
        "stopped_web2": stopped or None,
    }


def check_nothing_lost(cluster: Cluster, *, families: int) -> dict:
    """Every family has its dossier, every dossier its file, in the private bucket and encrypted."""
    form_id = cluster.fixtures["form_id"]
    dossiers = cluster.sql("SELECT count(*) FROM forms_dossier WHERE form_page_id = %s", form_id)[0][0]
    paths = [
        path
        for (path,) in cluster.sql(
            "SELECT f.path FROM forms_dossierfile f JOIN forms_dossier d ON d.id = f.dossier_id "
            "WHERE d.form_page_id = %s",
            form_id,
        )
    ]
    s3 = cluster.s3()
    missing, clear = 0, 0
    for path in paths:
        try:
            body = s3.get_object(Bucket=PRIVATE_BUCKET, Key=path)["Body"].read()
        except s3.exceptions.NoSuchKey:
            missing += 1
            continue
        clear += body.startswith(b"%PDF")
    local = [str(p) for p in (cluster.tmp / "local-private-media").rglob("*") if p.is_file()]
    return {
        "families": families,
        "dossiers": dossiers,
        "files": len(paths),
        "files_missing_in_bucket": missing,
        "files_unencrypted": clear,
        "files_on_local_disk": len(local),
    }


def run_load(*, families: int, duration: float, concurrency: int, stop_at: float | None) -> dict:
    with Cluster(families=families) as cluster:
        result = asyncio.run(load(cluster, duration=duration, concurrency=concurrency, stop_at=stop_at))
        result["check"] = check_nothing_lost(cluster, families=families)
        result["balancer_log_tail"] = cluster.log("balancer").splitlines()[-5:]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.multiserver", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["setup", "load"])
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds over which families arrive")
    parser.add_argument("--concurrency", type=int, default=16, help="families under way at once, at most")
    parser.add_argument("--stop-at", type=float, default=None, help="stop app server web2 after these seconds")
    parser.add_argument("--output", help="setup: fixtures file; load: results file")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(families=args.families, output=Path(args.output))
        return
    stop_at = args.duration / 2 if args.stop_at is None else args.stop_at
    result = run_load(families=args.families, duration=args.duration, concurrency=args.concurrency, stop_at=stop_at)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    check = result["check"]
    lost = check["dossiers"] != args.families or check["files"] != args.families or check["files_missing_in_bucket"]
    if result["errors"] or lost:
        sys.exit(f"FAIL: {result['errors']} error(s); {check}")


if __name__ == "__main__":
    main()
