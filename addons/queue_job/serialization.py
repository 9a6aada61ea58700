"""Job arguments to JSON and back.

A job's arguments are stored, so they must survive a round trip through JSON: JSON's own types,
plus recordsets, datetimes and dates, which are tagged (OCA's ``JobEncoder`` tags them the same way).
Anything else is refused at enqueue, naming the argument, before anything is written.
"""
from __future__ import annotations

import datetime as dt

from odoo.models import BaseModel

from .exception import JobRefused

RECORDSET, DATETIME, DATE = "odoo_recordset", "datetime_isoformat", "date_isoformat"


def encode(value, where: str):
    """``value`` as JSON-ready data; raise ``JobRefused`` naming ``where`` if it cannot be stored."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [encode(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {_key(key, where): encode(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, BaseModel):
        return {"_type": RECORDSET, "model": value._name, "ids": list(value.ids), "uid": value.env.uid,
                "su": value.env.su}
    if isinstance(value, dt.datetime):
        return {"_type": DATETIME, "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {"_type": DATE, "value": value.isoformat()}
    raise JobRefused(f"job argument {where} is a {type(value).__name__}, which cannot be stored: pass JSON "
                     "values (str, int, float, bool, None, lists, dicts with str keys), recordsets, dates "
                     "or datetimes")


def _key(key, where: str) -> str:
    if not isinstance(key, str):
        raise JobRefused(f"job argument {where} has the key {key!r}: stored dictionaries need str keys")
    return key


def decode(env, value):
    """The inverse of ``encode``: recordsets come back in ``env`` with the user who delayed them."""
    if isinstance(value, list):
        return [decode(env, item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("_type")
    if kind == RECORDSET:
        records_env = env(user=value.get("uid") or env.uid, su=value.get("su", False))
        return records_env[value["model"]].browse(value["ids"])
    if kind == DATETIME:
        return dt.datetime.fromisoformat(value["value"])
    if kind == DATE:
        return dt.date.fromisoformat(value["value"])
    return {key: decode(env, item) for key, item in value.items()}
