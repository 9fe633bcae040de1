"""A local API Particulier (v3 QF routes, introspect, pings) on the standard library's HTTP server.

Behaves like the real service where the portal depends on it: Bearer checking, the ``recipient`` SIRET
check (14 digits, Luhn), scope masking, the v3 error bodies and codes, ``X-Request-Id``, ``RateLimit-*``
headers, 429 + ``Retry-After`` over the per-token limit, 409 ``00015`` on an identical request already in
flight. Switches (``POST /__simulator__/config``) inject latency, timeouts, 5xx and malformed replies.
It never writes identities to its console: request lines show the path only.
"""

import json
import logging
import math
import threading
import time
import unicodedata
import uuid
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ..scopes import (
    PING_QF,
    QF_SCOPES,
    ROUTE_INTROSPECT,
    ROUTE_PINGS,
    ROUTE_QF_FRANCE_CONNECT,
    ROUTE_QF_IDENTITE,
    mask,
)
from .cases import (
    DEMO_FAMILIES,
    DEMO_TOKENS,
    EXPIRED_FRANCE_CONNECT_TOKENS,
    FAMILIES_BY_FRANCE_CONNECT_TOKEN,
    DemoFamily,
)

logger = logging.getLogger("connectors.api_particulier.simulator")

ADMIN_PREFIX = "/__simulator__"
FAIL_MODES = {"timeout", "500", "502", "503", "504", "409", "429", "malformed", "trickle", "huge", "nested"}
DEFAULT_CONFIG = {
    "latency_ms": 0,  # added to every token-checked answer
    "fail": None,  # one of FAIL_MODES, or None
    "fail_count": None,  # how many requests the failure applies to (None: until switched off)
    "timeout_s": 10.0,  # how long "timeout" keeps the client waiting (upstream gives up at 10 s)
    "retry_after": "1",  # the Retry-After header sent with "429" (any text, to test its validation)
    "trickle_interval_s": 3.0,  # "trickle": one byte of a 200 reply every so many seconds, for trickle_s
    "trickle_s": 60.0,
    "huge_mb": 200,  # "huge": a 200 reply of this many megabytes (no Content-Length, like a chunked reply)
    "rate_limit": 20,  # requests per window and per token
    "rate_window_s": 1,  # upstream counts per second; a longer window makes tests immune to clock ticks
    "mask": True,  # production masks blocks outside the token's scopes; staging (False) does not
    "hold": False,  # park token-checked requests until switched off (to test 409 deterministically)
    "today": None,  # "YYYY-MM-DD" to pin the current date (QF period checks)
}

# (status, title, detail, source, meta) of the upstream errors the simulator emits.
ERRORS = {
    "00101": (401, "Interdit", "Votre token n'est pas valide ou n'est pas renseigné", {"parameter": "token"}, {}),
    "00103": (
        401,
        "Jeton expiré",
        "Votre token est expiré. Vous devez refaire une demande",
        {"parameter": "token"},
        {},
    ),
    "00105": (
        401,
        "Jeton sur liste noire",
        "Votre jeton est sur liste noire, celui-ci a certainement été divulgué sur un canal non-sécurisé.",
        {"parameter": "token"},
        {},
    ),
    "00100": (
        403,
        "Privilèges insuffisants",
        "Votre token est valide mais vos privilèges sont insuffisants. Listez vos privilèges sur /api/introspect",
        {"parameter": "token"},
        {},
    ),
    "00203": (422, "Entité non traitable", "Le paramètre recipient est obligatoire", {"parameter": "recipient"}, {}),
    "00210": (
        422,
        "Entité non traitable",
        "Le paramètre recipient n'est pas un siret valide",
        {"parameter": "recipient"},
        {},
    ),
    "00366": (
        422,
        "Entité non traitable",
        "Un ou plusieurs paramètres de civilité ne sont pas correctement formatés",
        None,
        {},
    ),
    "00354": (422, "Entité non traitable", "Le mois demandé est incorrect ou est dans le futur.", None, {}),
    "00356": (422, "Entité non traitable", "L'année demandée doit être l'année en cours (N), N-1 ou N-2.", None, {}),
    "00355": (
        422,
        "Impossible d'identifier l'allocataire",
        "Les paramètres fournis ne permettent pas d'identifier un allocataire.",
        None,
        {},
    ),
    "23003": (
        404,
        "Dossier allocataire absent CNAF",
        "Le dossier allocataire n'a pas été trouvé auprès de la CNAF.",
        None,
        {"provider": "CNAF"},
    ),
    "10003": (
        404,
        "Dossier allocataire absent MSA",
        "Le dossier allocataire n'a pas été trouvé auprès de la MSA.",
        None,
        {"provider": "MSA"},
    ),
    "35003": (
        404,
        "Allocataire non référencé",
        "L'allocataire n'est pas référencé auprès des caisses éligibles",
        None,
        {"provider": "CNAF & MSA"},
    ),
    "00015": (
        409,
        "Conflit",
        "Une requête associé à votre jeton est déjà en cours de traitement pour ces paramètres. Veuillez "
        "attendre la fin du traitement avant d'effectuer une nouvelle requête.",
        None,
        {},
    ),
    "00429": (429, "Trop de requêtes", "Vous avez effectué trop de requêtes", None, {}),
    "37999": (
        502,
        "Erreur inconnue du fournisseur de données",
        "La réponse retournée par le fournisseur de données est invalide et inconnue de notre service. "
        "L'équipe technique a été notifiée de cette erreur pour investigation.",
        None,
        {"provider": "CNAV"},
    ),
    "37001": (
        503,
        "Service non disponible",
        "Service du fournisseur de données temporairement indisponible ou en maintenance.",
        None,
        {"provider": "CNAV"},
    ),
    "37002": (
        504,
        "Intermédiaire hors-délai",
        "Temps d’attente d’une réponse du fournisseur de données écoulé.",
        None,
        {"provider": "CNAV"},
    ),
}
FAIL_CODES = {"409": "00015", "429": "00429", "502": "37999", "503": "37001", "504": "37002", "timeout": "37002"}
NOT_FOUND_CODES = {"no_file_cnaf": "23003", "no_file_msa": "10003"}
QF_ROUTE_SCOPES = set(QF_SCOPES)


def normalise(text: str) -> str:
    """Upper case, no accents, hyphens and apostrophes as spaces, single spaces (fuzzy enough for a demo)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.upper().replace("-", " ").replace("'", " ")
    return " ".join(text.split())


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(digits)):
        number = int(digit) * (2 if index % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    """14 digits, Luhn on the SIRET and on its SIREN (La Poste's establishments: sum of digits % 5 instead)."""
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith("356000000") and value != "35600000000048":
        full_ok = sum(int(digit) for digit in value) % 5 == 0
    else:
        full_ok = _luhn_ok(value)
    return full_ok and _luhn_ok(value[:9])


class SimulatorState:
    """Configuration and shared counters of one simulator server (thread-safe)."""

    def __init__(self, **config) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.released = threading.Event()
        self.config = dict(DEFAULT_CONFIG)
        self.windows: dict[str, tuple[int, int]] = {}
        self.inflight: set[tuple] = set()
        self.journal: list[dict] = []
        self.update(config)

    def update(self, values: dict) -> dict:
        unknown = set(values) - set(DEFAULT_CONFIG)
        if unknown:
            raise ValueError(f"unknown switches: {sorted(unknown)}")
        if values.get("fail") is not None and str(values["fail"]) not in FAIL_MODES:
            raise ValueError(f"fail must be one of {sorted(FAIL_MODES)} or null")
        with self.lock:
            for name, value in values.items():
                self.config[name] = str(value) if name == "fail" and value is not None else value
            if self.config["hold"]:
                self.released.clear()
            else:
                self.released.set()
            return dict(self.config)

    def reset(self) -> dict:
        with self.lock:
            self.windows.clear()
            self.journal.clear()
        return self.update(dict(DEFAULT_CONFIG))

    def today(self) -> date:
        pinned = self.config.get("today")
        return date.fromisoformat(pinned) if pinned else date.today()

    def take_failure(self) -> str | None:
        """The failure to inject into this request, if any (counts down ``fail_count``)."""
        with self.lock:
            mode = self.config["fail"]
            if mode is None:
                return None
            remaining = self.config["fail_count"]
            if remaining is not None:
                if remaining <= 0:
                    return None
                self.config["fail_count"] = remaining - 1
            return mode

    def hit(self, token: str) -> tuple[bool, int, int, float]:
        """Count one request of ``token`` in the current window: (allowed, limit, remaining, reset epoch)."""
        now = time.time()
        with self.lock:
            limit = int(self.config["rate_limit"])
            length = float(self.config["rate_window_s"])
            current = int(now // length)
            window, count = self.windows.get(token, (current, 0))
            if window != current:
                window, count = current, 0
            count += 1
            self.windows[token] = (window, count)
        return count <= limit, limit, max(limit - count, 0), (window + 1) * length

    def enter(self, key: tuple) -> bool:
        with self.changed:
            if key in self.inflight:
                return False
            self.inflight.add(key)
            self.changed.notify_all()
            return True

    def leave(self, key: tuple) -> None:
        with self.changed:
            self.inflight.discard(key)
            self.changed.notify_all()

    def wait_inflight(self, count: int, timeout: float, *, idle: bool = False) -> int:
        """Wait until ``count`` requests are in flight (or none, with ``idle``); returns how many are."""
        with self.changed:
            if idle:
                self.changed.wait_for(lambda: not self.inflight, timeout=timeout)
            else:
                self.changed.wait_for(lambda: len(self.inflight) >= count, timeout=timeout)
            return len(self.inflight)

    def record(self, path: str, status: int, code: str | None) -> None:
        with self.lock:
            self.journal.append({"path": path, "status": status, "code": code})
            del self.journal[:-500]


class SimulatorHandler(BaseHTTPRequestHandler):
    server_version = "APIParticulierSimulator/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms per reply.
    disable_nagle_algorithm = True

    @property
    def state(self) -> SimulatorState:
        return self.server.state

    def log_message(self, format: str, *args) -> None:
        # The request line holds the query string (identities): log the path only.
        logger.debug("%s %s", self.command, urlsplit(self.path).path)

    # Dispatch -------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        self.request_id = str(uuid.uuid4())
        # One handler serves every request of a keep-alive connection: start each one clean.
        self.extra_headers: dict[str, str] = {}
        self.journal_path: str | None = None
        path = url.path.rstrip("/") or "/"
        if path.startswith(ADMIN_PREFIX):
            return self.admin_get(path, query)
        if path == ROUTE_PINGS:
            return self.pings()
        if path.startswith("/api/") and path.endswith("/ping"):
            return self.ping(path.removeprefix("/api/").removesuffix("/ping"))
        if path == ROUTE_INTROSPECT:
            return self.token_route(path, query, self.introspect)
        if path == ROUTE_QF_IDENTITE:
            return self.token_route(path, query, self.quotient_familial_identite)
        if path == ROUTE_QF_FRANCE_CONNECT:
            return self.token_route(path, query, self.quotient_familial_france_connect, france_connect=True)
        self.send_json(404, {"errors": [{"code": "00404", "title": "Route inconnue", "detail": path}]})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        self.request_id = str(uuid.uuid4())
        self.extra_headers = {}
        self.journal_path = None
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            payload = json.loads(raw or b"{}")
            if url.path == f"{ADMIN_PREFIX}/config":
                return self.send_json(200, self.state.update(payload))
            if url.path == f"{ADMIN_PREFIX}/reset":
                return self.send_json(200, self.state.reset())
        except ValueError as error:
            return self.send_json(400, {"error": str(error)})
        self.send_json(404, {"error": "unknown admin route"})

    # Admin ----------------------------------------------------------------------------------------

    def admin_get(self, path: str, query: dict) -> None:
        if path == f"{ADMIN_PREFIX}/config":
            return self.send_json(200, dict(self.state.config))
        if path == f"{ADMIN_PREFIX}/journal":
            return self.send_json(200, {"requests": list(self.state.journal)})
        if path == f"{ADMIN_PREFIX}/inflight":
            count = int(query.get("wait_for", ["0"])[0])
            timeout = float(query.get("timeout", ["5"])[0])
            idle = query.get("idle", ["0"])[0] == "1"
            return self.send_json(200, {"inflight": self.state.wait_inflight(count, timeout, idle=idle)})
        self.send_json(404, {"error": "unknown admin route"})

    # Routes without token -------------------------------------------------------------------------

    def pings(self) -> None:
        base = f"http://{self.headers.get('Host', 'localhost')}"
        self.send_json(200, {PING_QF: f"{base}/api/{PING_QF}/ping"})

    def ping(self, name: str) -> None:
        if name != PING_QF:
            return self.send_json(404, {"status": "unknown", "detail": "unknown ping"})
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        if self.state.config["fail"] in {"502", "503", "504", "timeout"}:
            return self.send_json(502, {"status": "bad_gateway", "last_update": now, "last_ok_status": None})
        self.send_json(200, {"status": "ok", "last_update": now, "last_ok_status": now})

    # Routes with token ----------------------------------------------------------------------------

    def token_route(self, path: str, query: dict, handler, *, france_connect: bool = False) -> None:
        self.journal_path = path
        token = self.bearer() or (query.get("token", [""])[0] if path == ROUTE_INTROSPECT else "")
        allowed, limit, remaining, reset = self.state.hit(token or "-")
        self.extra_headers.update(
            {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(int(reset))}
        )
        if not allowed:
            self.extra_headers["Retry-After"] = str(max(math.ceil(reset - time.time()), 1))
            return self.send_error_code("00429", path)
        scopes, code = self.check_token(token, france_connect=france_connect)
        if code:
            return self.send_error_code(code, path)
        if path != ROUTE_INTROSPECT:
            if not QF_ROUTE_SCOPES & set(scopes):
                return self.send_error_code("00100", path)
            recipient = query.get("recipient", [""])[0]
            if not recipient:
                return self.send_error_code("00203", path)
            if not siret_is_valid(recipient):
                return self.send_error_code("00210", path)
        key = (token, path, tuple(sorted((name, tuple(values)) for name, values in query.items())))
        if not self.state.enter(key):
            return self.send_error_code("00015", path)
        try:
            self.state.released.wait(timeout=30)
            latency = float(self.state.config["latency_ms"] or 0) / 1000
            if latency:
                time.sleep(latency)
            failure = self.state.take_failure()
            if failure:
                return self.fail(failure, path)
            handler(path, query, token, scopes)
        finally:
            self.state.leave(key)

    def check_token(self, token: str, *, france_connect: bool) -> tuple[tuple[str, ...], str | None]:
        if france_connect:
            if token in EXPIRED_FRANCE_CONNECT_TOKENS:
                return (), "00103"
            if token in FAMILIES_BY_FRANCE_CONNECT_TOKEN:
                # A FranceConnect token opens the scopes of the DataPass it was issued for: all QF scopes here.
                return QF_SCOPES, None
            return (), "00101"
        demo = DEMO_TOKENS.get(token)
        if demo is None:
            return (), "00101"
        if demo.revoked:
            return (), "00105"
        if demo.expired:
            return (), "00103"
        return demo.scopes, None

    def introspect(self, path: str, query: dict, token: str, scopes: tuple[str, ...]) -> None:
        demo = DEMO_TOKENS[token]
        self.send_json(
            200, {"_id": str(uuid.uuid5(uuid.NAMESPACE_URL, token)), "name": demo.name, "scopes": list(scopes)}
        )

    def quotient_familial_identite(self, path: str, query: dict, token: str, scopes) -> None:
        error = check_civility(query) or self.check_period(query)
        if error:
            return self.send_error_code(error, path)
        family, code = find_family(query)
        if code:
            return self.send_error_code(code, path)
        self.send_qf(family, query, scopes)

    def quotient_familial_france_connect(self, path: str, query: dict, token: str, scopes) -> None:
        error = self.check_period(query)
        if error:
            return self.send_error_code(error, path)
        family = FAMILIES_BY_FRANCE_CONNECT_TOKEN[token]
        if family.outcome != "ok":
            return self.send_error_code(NOT_FOUND_CODES.get(family.outcome, "00355"), path)
        self.send_qf(family, query, scopes)

    def check_period(self, query: dict) -> str | None:
        today = self.state.today()
        try:
            annee = int(query["annee"][0]) if query.get("annee") else today.year
            mois = int(query["mois"][0]) if query.get("mois") else today.month
        except ValueError:
            return "00354"
        if not today.year - 2 <= annee <= today.year:
            return "00356"
        if not 1 <= mois <= 12 or (annee, mois) > (today.year, today.month):
            return "00354"
        return None

    def send_qf(self, family: DemoFamily, query: dict, scopes) -> None:
        today = self.state.today()
        annee = int(query["annee"][0]) if query.get("annee") else today.year
        mois = int(query["mois"][0]) if query.get("mois") else today.month
        # CAF recomputes only when the situation changes; MSA computes on each call.
        calcul = (today.year, today.month) if family.fournisseur == "MSA" else (annee, mois)
        data = {
            "allocataires": [person.as_api() for person in (family.holder, family.partner) if person],
            "enfants": [child.as_api() for child in family.children],
            "adresse": dict(family.address),
            "quotient_familial": {
                "fournisseur": family.fournisseur,
                "valeur": family.qf,
                "annee": annee,
                "mois": mois,
                "annee_calcul": calcul[0],
                "mois_calcul": calcul[1],
            },
        }
        if self.state.config["mask"]:
            data = mask(data, scopes)
        self.extra_headers["X-Response-Cached"] = "false"
        self.send_json(200, {"data": data, "links": {}, "meta": {}})

    # Failures and replies -------------------------------------------------------------------------

    def fail(self, mode: str, path: str) -> None:
        if mode == "timeout":
            # Keep the client waiting past its own timeout, then answer as upstream does after 10 s.
            time.sleep(float(self.state.config["timeout_s"]))
        if mode == "500":
            return self.send_raw(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        if mode == "malformed":
            return self.send_raw(200, b'{"data": {"quotient_familial": ', "application/json")
        if mode == "nested":
            depth = 200_000
            return self.send_raw(200, b'{"data": ' + b"[" * depth + b"]" * depth + b"}", "application/json")
        if mode in ("trickle", "huge"):
            return self.send_slow_or_huge(mode, path)
        if mode == "429":
            self.extra_headers["Retry-After"] = str(self.state.config["retry_after"])
        self.send_error_code(FAIL_CODES[mode], path)

    def send_slow_or_huge(self, mode: str, path: str) -> None:
        """A 200 whose body never ends in time: one byte at a time ("trickle"), or far too many ("huge")."""
        self.state.record(path, 200, None)
        config = self.state.config
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Request-Id", self.request_id)
            self.send_header("Connection", "close")
            self.end_headers()
            if mode == "trickle":
                ends = time.monotonic() + float(config["trickle_s"])
                while time.monotonic() < ends:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(float(config["trickle_interval_s"]))
            else:
                chunk = b" " * (1024 * 1024)
                for _ in range(int(config["huge_mb"])):
                    self.wfile.write(chunk)
            self.wfile.write(b"{}")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should.
        self.close_connection = True

    def bearer(self) -> str:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else ""

    def send_error_code(self, code: str, path: str) -> None:
        status, title, detail, source, meta = ERRORS[code]
        error = {"code": code, "title": title, "detail": detail, "source": source, "meta": dict(meta)}
        self.send_json(status, {"errors": [error]}, code=code)

    def send_json(self, status: int, body: dict, *, code: str | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_raw(status, raw, "application/json; charset=utf-8", code)

    def send_raw(self, status: int, raw: bytes, content_type: str, code: str | None = None) -> None:
        if self.journal_path is not None:
            self.state.record(self.journal_path, status, code)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("X-Request-Id", self.request_id)
            for name, value in self.extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer to.


def check_civility(query: dict) -> str | None:
    """422 ``00366`` when the civility parameters are missing or badly formed."""

    def one(name: str) -> str:
        return (query.get(name) or [""])[0].strip()

    first_names = [name for name in query.get("prenoms[]", []) if name.strip()]
    if not one("nomNaissance") or not 1 <= len(first_names) <= 3 or one("sexeEtatCivil") not in {"M", "F"}:
        return "00366"
    country = one("codeCogInseePaysNaissance")
    if len(country) != 5 or not country.isdigit():
        return "00366"
    for name in ("anneeDateNaissance", "moisDateNaissance", "jourDateNaissance"):
        if one(name) and not one(name).isdigit():
            return "00366"
    if country == "99100":
        commune = one("codeCogInseeCommuneNaissance")
        if commune:
            if len(commune) != 5:
                return "00366"
        elif not (one("nomCommuneNaissance") and one("codeCogInseeDepartementNaissance") and one("anneeDateNaissance")):
            return "00366"
    return None


def find_family(query: dict) -> tuple[DemoFamily | None, str | None]:
    """The family whose holder these parameters identify, or the error code to answer."""

    def one(name: str) -> str:
        return (query.get(name) or [""])[0].strip()

    birth_name = normalise(one("nomNaissance"))
    first_names = [normalise(name) for name in query.get("prenoms[]", []) if name.strip()]
    known_name = False
    for family in DEMO_FAMILIES:
        partner = family.partner
        if (
            partner
            and normalise(partner.nom_naissance) == birth_name
            and first_names[:1] == [normalise(partner.prenoms).split()[0]]
        ):
            known_name = True  # the holder's partner is not the allocataire
        if normalise(family.holder.nom_naissance) != birth_name:
            continue
        known_name = True
        if _holder_matches(family, query, first_names):
            if family.outcome == "ok":
                return family, None
            return None, NOT_FOUND_CODES.get(family.outcome, "00355")
    return None, ("00355" if known_name else "35003")


def _holder_matches(family: DemoFamily, query: dict, first_names: list[str]) -> bool:
    def one(name: str) -> str:
        return (query.get(name) or [""])[0].strip()

    holder_names = normalise(family.holder.prenoms).split()
    if not first_names or first_names[0] != holder_names[0] or not set(first_names) <= set(holder_names):
        return False
    if one("sexeEtatCivil") != family.holder.sexe or one("codeCogInseePaysNaissance") != family.birth_country:
        return False
    year, month, day = (int(part) for part in family.holder.date_naissance.split("-"))
    for name, expected in (("anneeDateNaissance", year), ("moisDateNaissance", month), ("jourDateNaissance", day)):
        if one(name) and int(one(name)) != expected:
            return False
    if family.birth_country != "99100":
        return True
    if one("codeCogInseeCommuneNaissance"):
        return one("codeCogInseeCommuneNaissance").upper() == family.birth_commune_code
    return (
        normalise(one("nomCommuneNaissance")) == normalise(family.birth_commune_name)
        and one("codeCogInseeDepartementNaissance").upper() == family.birth_department
    )


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], **config) -> None:
        self.state = SimulatorState(**config)
        super().__init__(address, SimulatorHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.state.update({"hold": False})
        self.shutdown()
        self.server_close()


def start_simulator(host: str = "127.0.0.1", port: int = 0, **config) -> tuple[SimulatorServer, str]:
    """Start a simulator in a background thread (port 0: any free port); returns (server, base_url)."""
    server = SimulatorServer((host, port), **config)
    thread = threading.Thread(target=server.serve_forever, name="api-particulier-simulator", daemon=True)
    thread.start()
    return server, server.base_url
