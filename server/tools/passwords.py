"""Password hashing with the standard library's scrypt.

Hashes are stored as ``$scrypt$n=<n>,r=<r>,p=<p>$<salt b64>$<hash b64>`` so
the cost can be raised later without breaking stored hashes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

N, R, P = 2 ** 14, 8, 1
PREFIX = "$scrypt$"


def hash_password(password: str, n: int = N) -> str:
    if not isinstance(password, str) or not password:
        raise ValueError("a password must be a non-empty string")
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=R, p=P, dklen=32)
    return f"{PREFIX}n={n},r={R},p={P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored``; False for anything malformed."""
    if not password or not isinstance(password, str) or not stored or not stored.startswith(PREFIX):
        return False
    try:
        params, salt, digest = stored[len(PREFIX):].split("$")
        cost = dict(item.split("=") for item in params.split(","))
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(cost["n"]),
                                r=int(cost["r"]), p=int(cost["p"]), dklen=len(expected))
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(actual, expected)


def generate_password(length: int = 20) -> str:
    return secrets.token_urlsafe(length)[:length]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
