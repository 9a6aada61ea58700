"""The SMT HTTP API as TCM uses it: what to send for a subscription, and sending it.

* ``POST {endpoint}/subscriptions`` with ``{"reference", "contract", "customer",
  "email", "product", "package"}`` answers ``{"id": ..., "status": "active"}``;
* ``POST {endpoint}/subscriptions/{id}/cancel`` answers ``{"id": ..., "status": "cancelled"}``.

Every request carries ``Authorization: Bearer <tcm_smt.api_key>``.  The
``reference`` is stable per database and contract, so SMT can recognise a
creation sent twice (a retry after a lost answer) and return the same id.
Calls are prepared inside a transaction and sent outside of any.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import requests

ENDPOINT_PARAM = "tcm_smt.endpoint"
API_KEY_PARAM = "tcm_smt.api_key"
TIMEOUT_PARAM = "tcm_smt.timeout"


class SmtError(Exception):
    """SMT is not configured, cannot be reached, or refused a request; the message is shown to operators."""


@dataclass(frozen=True)
class SmtSettings:
    endpoint: str
    api_key: str
    timeout: float

    @classmethod
    def from_params(cls, env) -> SmtSettings:
        """Read the system parameters; raise SmtError naming the parameter to fix."""
        params = env["ir.config_parameter"].sudo()
        endpoint = params.get_param(ENDPOINT_PARAM)
        if not endpoint:
            raise SmtError(f"SMT endpoint is not configured: set the system parameter {ENDPOINT_PARAM} "
                           "(e.g. https://smt.example.com/api), then retry.")
        timeout = params.get_param(TIMEOUT_PARAM, "10")
        try:
            return cls(endpoint.rstrip("/"), params.get_param(API_KEY_PARAM, ""), float(timeout))
        except ValueError:
            raise SmtError(f"System parameter {TIMEOUT_PARAM} must be a number of seconds, got {timeout!r}.") from None


@dataclass(frozen=True)
class SmtCall:
    """One request to SMT and the remote status (``wanted``) it brings about."""

    wanted: str
    url: str
    payload: dict
    api_key: str
    timeout: float

    def send(self) -> dict:
        """POST the request; return SMT's JSON answer or raise SmtError saying what went wrong."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        try:
            response = requests.post(self.url, json=self.payload, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmtError(f"SMT unreachable at {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise SmtError(f"SMT refused {self.url}: HTTP {response.status_code} {response.text[:200]}".strip())
        return _json_answer(response)


def _json_answer(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        raise SmtError(f"SMT answered {response.url} with something that is not JSON") from None
    if not isinstance(answer, dict) or not answer.get("id"):
        raise SmtError(f"SMT answered {response.url} without a subscription id: {answer!r}")
    return answer


def create_call(settings: SmtSettings, payload: dict) -> SmtCall:
    return SmtCall("active", f"{settings.endpoint}/subscriptions", payload, settings.api_key, settings.timeout)


def cancel_call(settings: SmtSettings, remote_id: str) -> SmtCall:
    url = f"{settings.endpoint}/subscriptions/{quote(remote_id, safe='')}/cancel"
    return SmtCall("cancelled", url, {}, settings.api_key, settings.timeout)
