"""HTTP client of API Particulier v3 (the only module of the project that imports httpx).

- ``quotient_familial(identity)`` and ``quotient_familial_france_connect(fc_token)``: the QF routes;
- ``introspect()``: the token's scopes; ``pings()`` / ``ping(name)``: provider health (no token needed).

Every call sends ``Authorization: Bearer`` and ``recipient`` (the SIRET of the council using the data),
waits on the injected rate limiter, retries 409/429 a bounded number of times honouring ``Retry-After``,
and raises :class:`ApiError` with a kind (see ``errors``). A 429's ``Retry-After`` (validated, clamped)
is also remembered per token in the injected ban store: until it ends, calls fail at once without
reaching upstream (which bans for 12 hours when 429s are ignored). Each call has a total deadline (httpx's
timeout is per read: an upstream sending one byte every few seconds would otherwise hold the call for
ever) and a maximum reply size read into memory. Identity parameters travel in the query string:
they are never logged, and no exception raised here carries them (nor chains an httpx error that would).
"""

import email.utils
import functools
import hashlib
import json
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import certifi
import httpx

from .errors import ApiError, ErrorKind, kind_for, redact
from .identity import Identity, IdentityError
from .ratelimit import BanStore, RateLimiter
from .scopes import PING_QF, ROUTE_INTROSPECT, ROUTE_PINGS, ROUTE_QF_FRANCE_CONNECT, ROUTE_QF_IDENTITE

logger = logging.getLogger("connectors.api_particulier")

DEFAULT_BASE_URL = "https://particulier.api.gouv.fr"
DEFAULT_TIMEOUT = 5.0
# The whole call (every attempt and wait) ends by then, whatever upstream does.
DEFAULT_DEADLINE = 8.0
# A QF answer is about 2 KB: anything past this is not an answer, and is not read into memory.
DEFAULT_MAX_REPLY_BYTES = 1024 * 1024
# Bounds of a Retry-After: at least a second (0 or a past date would let a client hammer upstream), at most
# a day (an absurd value must not lock the council out for ever); absent or invalid on a 429: a minute.
RETRY_AFTER_MIN = 1.0
RETRY_AFTER_MAX = 24 * 3600.0
RETRY_AFTER_DEFAULT = 60.0
USER_AGENT = "portail-famille (API Particulier connector)"


class _RedactQueryStrings(logging.Filter):
    """httpx logs every request URL at INFO level: strip its query string (identity parameters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        record.msg = redact(message)
        record.args = ()
        return True


for _name in ("httpx", "httpcore"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactQueryStrings) for f in _logger.filters):
        _logger.addFilter(_RedactQueryStrings())


@dataclass(frozen=True)
class ApiResponse:
    """A successful answer: its JSON body and what support and the audit log need."""

    route: str
    http_status: int
    body: dict
    request_id: str | None = None
    latency_ms: int = 0
    cached: bool | None = None
    attempts: int = 1
    rate_limit: dict = field(default_factory=dict)

    @property
    def data(self) -> dict:
        return self.body.get("data") or {}


def token_fingerprint(token: str) -> str:
    """A short, non-reversible name for a token (rate-limit keys, logs)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent/invalid
    (negative, not a number, not a date). A date in the past gives 0."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (now if now is not None else time.time()), 0.0)


def retry_after_delay(value: str | None, *, now: float | None = None, default: float = RETRY_AFTER_DEFAULT) -> float:
    """The wait a ``Retry-After`` asks for, validated and clamped to [RETRY_AFTER_MIN, RETRY_AFTER_MAX]."""
    seconds = parse_retry_after(value, now=now)
    if seconds is None:
        seconds = default
    return min(max(seconds, RETRY_AFTER_MIN), RETRY_AFTER_MAX)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings shared by every client of the process: loading the CA bundle takes about 30 ms,
    far more than a call to the API, so it is done once rather than for each client."""
    return ssl.create_default_context(cafile=certifi.where())


class ApiParticulierClient:
    """One token, one recipient. Use as a context manager or call ``close()``.

    ``sleep`` and ``clock`` (wall-clock time, for bans) are injectable so that tests never wait.
    ``max_retries`` bounds the retries of 409/429; ``max_wait`` bounds the total time spent waiting
    (rate limiter and ``Retry-After`` together): beyond it the call fails with kind ``busy``.
    ``deadline`` bounds the whole call (requests, reads and waits; a read may overrun it by at most
    ``timeout``), ``max_reply_bytes`` the reply read into memory: past either, kind ``unavailable``.
    ``bans`` remembers a 429's Retry-After per token (None: not remembered between calls).
    """

    def __init__(
        self,
        *,
        token: str,
        recipient: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 2,
        max_wait: float = 10.0,
        deadline: float = DEFAULT_DEADLINE,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        bans: BanStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self.recipient = recipient
        self.base_url = base_url.rstrip("/")
        self.rate_limiter = rate_limiter
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.timeout = timeout
        self.deadline = deadline
        self.max_reply_bytes = max_reply_bytes
        self.bans = bans
        self.sleep = sleep
        self.clock = clock
        self._http = httpx.Client(
            base_url=self.base_url,
            verify=_tls_context(),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ApiParticulierClient(base_url={self.base_url!r}, recipient={self.recipient!r})"

    def __enter__(self) -> "ApiParticulierClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Routes ---------------------------------------------------------------------------------------

    def quotient_familial(
        self, identity: Identity, *, annee: int | None = None, mois: int | None = None, no_cache: bool = False
    ) -> ApiResponse:
        """QF, allocataires, children and address of the benefit holder identified by ``identity``."""
        try:
            params = identity.to_params()
        except IdentityError as error:
            raise ApiError(ErrorKind.INVALID_INPUT, detail=str(error), route=ROUTE_QF_IDENTITE) from None
        return self._get(ROUTE_QF_IDENTITE, {**params, **_period(annee, mois)}, no_cache=no_cache, envelope=True)

    def quotient_familial_france_connect(
        self, france_connect_token: str, *, annee: int | None = None, mois: int | None = None
    ) -> ApiResponse:
        """The same data for the family signed in with FranceConnect (its access token is the Bearer)."""
        return self._get(ROUTE_QF_FRANCE_CONNECT, _period(annee, mois), bearer=france_connect_token, envelope=True)

    def introspect(self) -> ApiResponse:
        """The token's identifier, name and scopes (``body["scopes"]``)."""
        return self._get(ROUTE_INTROSPECT, {}, recipient=False)

    def pings(self) -> ApiResponse:
        """The list of the providers' ping routes (no token, no quota)."""
        return self._get(ROUTE_PINGS, {}, bearer="", recipient=False, limited=False)

    def ping(self, name: str = PING_QF) -> ApiResponse:
        """Health of one provider (``body["status"]``: ok, bad_gateway, maintenance, unknown)."""
        return self._get(f"/api/{name}/ping", {}, bearer="", recipient=False, limited=False)

    # Machinery ------------------------------------------------------------------------------------

    def _wait_for_rate_limit(self, key: str, waited: float, route: str, deadline: float) -> float:
        while (delay := self.rate_limiter.acquire(key)) > 0:
            if waited + delay > self.max_wait or time.monotonic() + delay > deadline:
                raise ApiError(ErrorKind.BUSY, code="local_rate_limit", detail="client-side rate limit", route=route)
            self.sleep(delay)
            waited += delay
        return waited

    def _get(
        self,
        route: str,
        params: dict,
        *,
        bearer: str | None = None,
        recipient: bool = True,
        limited: bool = True,
        no_cache: bool = False,
        envelope: bool = False,
    ) -> ApiResponse:
        bearer = self._token if bearer is None else bearer
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        if no_cache:
            headers["Cache-Control"] = "no-cache"
        query = {"recipient": self.recipient, **params} if recipient else dict(params)
        key = token_fingerprint(self._token)
        deadline = time.monotonic() + self.deadline
        if limited and self.bans is not None:
            self._refuse_while_banned(key, route)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            if limited and self.rate_limiter is not None:
                waited = self._wait_for_rate_limit(key, waited, route, deadline)
            started = time.perf_counter()
            response, content, failure = self._send(route, query, headers, deadline)
            latency_ms = int((time.perf_counter() - started) * 1000)
            if failure is not None:
                logger.warning("API Particulier GET %s failed after %d ms: %s", route, latency_ms, failure)
                raise ApiError(
                    ErrorKind.UNAVAILABLE,
                    http_status=response.status_code if response is not None else None,
                    code=failure,
                    detail=failure.replace("_", " "),
                    route=route,
                )
            request_id = response.headers.get("X-Request-Id")
            logger.info(
                "API Particulier GET %s -> %s in %d ms (X-Request-Id %s)",
                route,
                response.status_code,
                latency_ms,
                request_id,
            )
            if response.status_code in (409, 429):
                # 409: an identical request in flight (no ban); 429: upstream's ban, remembered per token.
                now = self.clock()
                retry_after = response.headers.get("Retry-After")
                delay = retry_after_delay(
                    retry_after, now=now, default=1.0 if response.status_code == 409 else RETRY_AFTER_DEFAULT
                )
                if response.status_code == 429 and limited and self.bans is not None:
                    self.bans.ban(key, now + delay, now=now)
                fits = waited + delay <= self.max_wait and time.monotonic() + delay <= deadline
                if attempt <= self.max_retries and fits:
                    self.sleep(delay)
                    waited += delay
                    continue
            if response.status_code >= 400:
                raise self._error(route, response, content, request_id)
            body = _json_object(content)
            if body is None or (envelope and not isinstance(body.get("data"), dict)):
                raise ApiError(
                    ErrorKind.UNAVAILABLE,
                    http_status=response.status_code,
                    code="malformed_json",
                    detail="the body is not the expected JSON object",
                    request_id=request_id,
                    route=route,
                )
            return ApiResponse(
                route=route,
                http_status=response.status_code,
                body=body,
                request_id=request_id,
                latency_ms=latency_ms,
                cached=_bool_header(response.headers.get("X-Response-Cached")),
                attempts=attempt,
                rate_limit={
                    name: response.headers[name]
                    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
                    if name in response.headers
                },
            )

    def _refuse_while_banned(self, key: str, route: str) -> None:
        until = self.bans.banned_until(key)
        now = self.clock()
        if until is not None and until > now:
            raise ApiError(
                ErrorKind.BUSY,
                http_status=429,
                code="retry_after",
                detail=f"upstream asked to wait {int(until - now) + 1} s more (Retry-After); call not sent",
                route=route,
            )

    def _send(
        self, route: str, query: dict, headers: dict, deadline: float
    ) -> tuple[httpx.Response | None, bytes, str | None]:
        """One request, its reply read until ``deadline`` and up to ``max_reply_bytes``: (response, body,
        failure). The failure is returned, not raised here, so that the ApiError raised by the caller does
        not chain an httpx exception whose text holds the full URL (and so the identity)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, b"", "deadline"
        # Each socket operation waits at most this long, so that the deadline is overrun by one read at most.
        timeout = httpx.Timeout(min(self.timeout, remaining))
        try:
            with self._http.stream("GET", route, params=query, headers=headers, timeout=timeout) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_reply_bytes:
                    return response, b"", "reply_too_large"
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_reply_bytes:
                        return response, b"", "reply_too_large"
                    if time.monotonic() > deadline:
                        return response, b"", "deadline"
                    chunks.append(chunk)
                return response, b"".join(chunks), None
        except httpx.TimeoutException:
            return None, b"", "deadline" if time.monotonic() >= deadline else "timeout"
        except httpx.DecodingError:
            return None, b"", "malformed_reply"
        except httpx.TransportError:
            return None, b"", "connection_error"

    def _error(self, route: str, response: httpx.Response, content: bytes, request_id: str | None) -> ApiError:
        body = _json_object(content) or {}
        errors = body.get("errors") if isinstance(body.get("errors"), list) else []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = first.get("code")
        code = str(code) if code is not None else None
        # v2-style flat errors, just in case an old route answers.
        title = first.get("title") or body.get("error") or ""
        detail = first.get("detail") or body.get("message") or body.get("reason") or ""
        return ApiError(
            kind_for(response.status_code, code),
            http_status=response.status_code,
            code=code,
            title=str(title),
            detail=str(detail),
            request_id=request_id,
            route=route,
        )


def _period(annee: int | None, mois: int | None) -> dict[str, str]:
    period = {}
    if annee is not None:
        period["annee"] = str(annee)
    if mois is not None:
        period["mois"] = str(mois)
    return period


def _json_object(content: bytes) -> dict | None:
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: a deeply nested reply
        return None
    return body if isinstance(body, dict) else None


def _bool_header(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"
