"""Random digits and distinct samples from a template's code space, from a cryptographically secure source.

Codes are bearer secrets, so every random choice comes from the operating
system's CSPRNG (``secrets``).  Bytes are turned into digits below a radix
by dropping the biased tail (``bytes.translate`` with ``delete``), which
keeps every digit exactly uniform.
"""
from __future__ import annotations

import secrets
from functools import lru_cache

from .permutation import KEY_BYTES, MAX_SIZE, Permutation
from .template import Template


@lru_cache(maxsize=256)
def _digit_tables(radix: int) -> tuple[bytes, bytes, int]:
    limit = 256 - 256 % radix
    return bytes(value % radix for value in range(256)), bytes(range(limit, 256)), limit


def uniform_digits(count: int, radix: int) -> bytes:
    """``count`` independent digits, each uniform in ``range(radix)`` (``1 <= radix <= 256``)."""
    table, biased, limit = _digit_tables(radix)
    digits = bytearray()
    while len(digits) < count:  # each byte is kept with probability limit / 256 >= 1/2
        missing = count - len(digits)
        digits += secrets.token_bytes(missing * 256 // limit + 16).translate(table, biased)
    return bytes(digits[:count])


def random_codes(template: Template, count: int) -> list[str]:
    """``count`` independent uniform codes of ``template`` (repeats possible; see ``distinct_codes``)."""
    columns = [uniform_digits(count, radix) for radix in template.radices]
    return template.codes_from_digits(columns, count)


def new_key() -> bytes:
    """A fresh permutation key."""
    return secrets.token_bytes(KEY_BYTES)


def distinct_codes(template: Template, count: int) -> list[str]:
    """Up to ``count`` distinct uniform codes, without replacement (fewer only if the space is smaller)."""
    count = min(count, template.combinations)
    if template.combinations <= MAX_SIZE:
        return template.codes_at(Permutation(template.combinations, new_key()).apply(list(range(count))))
    codes: dict[str, None] = {}
    while len(codes) < count:  # a repeat among 2**32+ codes is rare enough that this runs once
        codes.update(dict.fromkeys(random_codes(template, count - len(codes))))
    return list(codes)[:count]
