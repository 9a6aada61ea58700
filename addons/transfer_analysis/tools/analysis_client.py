"""The voice-analysis API client (Nemesysco in the seed): one pooled session, retryable errors named.

``AnalysisClient.analyse(audio_url)`` sends ``GET <api_url>?file=<audio_url>``
with the auth header (the seed's ``N-MS-AUTHCB``) and returns an
``AnalysisAnswer`` for any HTTP answer below 500 except 429; it raises
``RetryableAnalysisError`` for 429, 5xx, timeouts and connection errors.
The header's value comes from a secret system parameter; it is never logged,
and ``repr()`` of the client does not show it.

Settings (system parameters, readable by administrators only):

* ``transfer_analysis.api_url`` (required)
* ``transfer_analysis.api_auth_header`` (default ``N-MS-AUTHCB``)
* ``transfer_analysis.api_auth_value`` (the secret)
* ``transfer_analysis.api_timeout`` seconds (default 30)
* ``transfer_analysis.max_connections`` (default 4): simultaneous requests
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import Future
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

DEFAULT_HEADER = "N-MS-AUTHCB"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECTIONS = 4
PARAM_PREFIX = "transfer_analysis."


class RetryableAnalysisError(Exception):
    """The API may answer later: 429, 5xx, a timeout or a lost connection. ``retry_after`` in seconds, if told."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class AnalysisAnswer:
    """What the API answered: the status, the JSON (None when the body was not JSON) and the text."""

    status: int
    payload: object
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raw(self) -> object:
        """What to store: the JSON itself, or ``{"text": ...}`` for a body that was not JSON."""
        return self.payload if self.payload is not None else {"text": self.text[:10000]}


@dataclass(frozen=True)
class AnalysisSettings:
    url: str
    header: str
    value: str
    timeout: float
    connections: int

    def __repr__(self) -> str:  # the header value is a secret
        return f"AnalysisSettings(url={self.url!r}, header={self.header!r}, connections={self.connections})"

    @classmethod
    def from_parameters(cls, env, parameters: dict | None = None) -> AnalysisSettings:
        """The settings from the system parameters (``analysis_parameters``); ValueError naming a missing
        or bad one."""
        get = (parameters if parameters is not None else analysis_parameters(env)).get
        url = get(PARAM_PREFIX + "api_url")
        if not url:
            raise ValueError("the analysis API is not configured: set the system parameter "
                             "transfer_analysis.api_url")
        return cls(url, get(PARAM_PREFIX + "api_auth_header") or DEFAULT_HEADER,
                   get(PARAM_PREFIX + "api_auth_value") or "",
                   _number(get, "api_timeout", DEFAULT_TIMEOUT, float),
                   max(1, _number(get, "max_connections", DEFAULT_CONNECTIONS, int)))


PARAMETERS_CACHE = "transfer_analysis.parameters"


def analysis_parameters(env) -> dict[str, str]:
    """Every ``transfer_analysis.*`` system parameter, ``{key: value}``: one query, then from the process
    cache until one of them changes (``ir.config_parameter`` empties it, here at once and in the other
    processes at their next ``Registry.check_signaling``, as Odoo's cached ``get_param``)."""
    cache = env.registry.cache(PARAMETERS_CACHE)
    if "values" not in cache:
        rows = env["ir.config_parameter"].sudo().search_read([("key", "=like", PARAM_PREFIX + "%")],
                                                             ["key", "value"])
        cache["values"] = {row["key"]: row["value"] for row in rows}
    return dict(cache["values"])


def max_connections(env) -> int:
    """``transfer_analysis.max_connections``: how many requests the API may see at once."""
    return max(1, _number(env["ir.config_parameter"].sudo().get_param, "max_connections", DEFAULT_CONNECTIONS, int))


def _number(get, name: str, default, kind):
    value = get(PARAM_PREFIX + name) or None
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"system parameter {PARAM_PREFIX}{name} must be a number, not {value!r}") from None


class AnalysisClient:
    """Thread-safe: one ``requests.Session`` whose pool holds ``settings.connections`` connections."""

    def __init__(self, settings: AnalysisSettings):
        self.settings = settings
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=settings.connections, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"AnalysisClient({self.settings!r})"

    def analyse(self, audio_url: str) -> AnalysisAnswer:
        try:
            response = self.session.get(self.settings.url, params={"file": audio_url},
                                        headers={self.settings.header: self.settings.value},
                                        timeout=self.settings.timeout)
        except requests.Timeout:
            raise RetryableAnalysisError(f"the analysis API did not answer within {self.settings.timeout:g} s") \
                from None
        except requests.RequestException as exc:
            raise RetryableAnalysisError(f"cannot reach the analysis API: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableAnalysisError(f"the analysis API answered HTTP {response.status_code}",
                                         _retry_after(response))
        return AnalysisAnswer(response.status_code, _json_or_none(response.text), response.text)

    def close(self) -> None:
        self.session.close()


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _retry_after(response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


class AskAhead:
    """One job's requests, each sent while the job stores the answer before it (never two at once).

    ``start(url)`` sends the request in a helper thread; ``take(url)`` waits for that answer (sending
    it now if it was not started) and returns an ``AnalysisAnswer`` or raises what ``analyse``
    raised.  A job thus keeps its API connection busy while it writes to the database, and the API
    still sees at most one request per job, so the channel's capacity bounds its connections.
    """

    def __init__(self, client: AnalysisClient, before_first=None):
        self.client = client
        self.url: str | None = None
        self.future = None
        self.before_first = before_first  # called once, before the first request is sent

    def start(self, url: str) -> None:
        if self.future is not None:
            raise RuntimeError(f"a request for {self.url} is still in flight: take it first")
        self._first()
        self.url, self.future = url, _in_a_thread(self.client.analyse, url)

    def take(self, url: str) -> AnalysisAnswer:
        if self.url != url:
            self.drop()
            self._first()
            return self.client.analyse(url)
        future, self.url, self.future = self.future, None, None
        return future.result()

    def _first(self) -> None:
        before, self.before_first = self.before_first, None
        if before is not None:
            before()

    def drop(self) -> None:
        """Wait for the request in flight, if any, and forget its answer (the job is stopping)."""
        future, self.url, self.future = self.future, None, None
        if future is not None:
            future.exception()


def _in_a_thread(call, *args) -> Future:
    """``call(*args)`` in a daemon thread of its own (a process exiting does not wait for it)."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(call(*args))
        except BaseException as exc:  # handed to whoever takes the answer
            future.set_exception(exc)

    threading.Thread(target=run, name="transfer-ask", daemon=True).start()
    return future


_clients: dict[AnalysisSettings, AnalysisClient] = {}
_clients_lock = threading.Lock()


def client_for(settings: AnalysisSettings) -> AnalysisClient:
    """One client per distinct settings in this process, so every job shares the connection pool."""
    with _clients_lock:
        if settings not in _clients:
            _clients[settings] = AnalysisClient(settings)
        return _clients[settings]
