"""Values to wire formats: JSON (Odoo's ``json_default``) and XML-RPC (Odoo's marshaller).

Both share one rule: ``None`` never leaves the server, ``False`` stands for
"no value", as the ORM does.  Dates travel as Odoo's strings, recordsets as
their ids, bytes as text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import xmlrpc.client
from collections.abc import Mapping

from ..orm.fields import DATE_FORMAT, DATETIME_FORMAT
from ..orm.models import BaseModel

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XMLRPC_INT_MAX = 2 ** 31 - 1


def json_default(value):
    """``default=`` for ``json.dumps``: what the JSON encoder does not know natively."""
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, BaseModel):
        return value.ids
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)


_SCALAR_TYPES = frozenset({str, int, float, bool})


def no_none(value):
    """A copy of ``value`` where every ``None`` (nested too) became ``False``.

    Scalars are tested by exact type before any call: results are mostly rows
    of scalars, and this runs over every value of every answer.
    """
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if value is None:
        return False
    if kind is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALAR_TYPES else no_none(v) for k, v in value.items()}
    if kind is list or isinstance(value, (list, tuple)):
        return [v if type(v) in _SCALAR_TYPES else no_none(v) for v in value]
    return value


def json_dumps(payload) -> bytes:
    """Serialise a JSON-RPC envelope; raises ValueError/TypeError for values JSON cannot carry."""
    text = json.dumps(payload, ensure_ascii=False, default=json_default, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates echoed from a request: escape them instead
        return json.dumps(payload, default=json_default, allow_nan=False).encode("ascii")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_loads(data: bytes | str):
    """Parse strict JSON: ``NaN`` and ``Infinity`` are refused, as the standard says."""
    return json.loads(data, parse_constant=_reject_constant)


# -- XML-RPC ----------------------------------------------------------------------------------------
def xmlrpc_value(value):
    """A copy of ``value`` the standard marshaller accepts (``allow_none=False``), Odoo-style."""
    if value is None:
        return False
    if isinstance(value, str):
        return CONTROL_CHARS.sub("", value)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, Mapping):
        return {str(k): xmlrpc_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [xmlrpc_value(v) for v in value]
    return xmlrpc_value(json_default(value))


def xmlrpc_loads(data: bytes) -> tuple[tuple, str]:
    """``(params, method)`` of an XML-RPC call; datetimes arrive as ``datetime``."""
    return xmlrpc.client.loads(data, use_datetime=True)


def xmlrpc_response(result) -> bytes:
    """A ``<methodResponse>`` document for ``result``; raises OverflowError/TypeError if it cannot be sent."""
    return xmlrpc.client.dumps((xmlrpc_value(result),), methodresponse=True, allow_none=False,
                               encoding="utf-8").encode("utf-8")


def xmlrpc_fault_response(fault: xmlrpc.client.Fault) -> bytes:
    fault.faultString = xmlrpc_value(fault.faultString)
    fault.faultCode = xmlrpc_value(fault.faultCode)
    return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False, encoding="utf-8").encode("utf-8")
