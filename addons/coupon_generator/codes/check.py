"""The optional check character: one more symbol so that a mistyped code is never another valid code.

A code of the template is read as its index ``i`` in the template's mixed-radix
numbering; the check character is symbol number ``i mod q`` of the check
alphabet, where ``q`` is the smallest prime above every placeholder's radix.

Why this detects every single substitution: changing the symbol at a position
whose place value is ``R`` changes ``i`` by ``d * R`` with ``0 < |d| < q``,
and ``R`` is a product of radices below ``q``; ``q`` is prime, so ``q``
divides neither factor.  Why it detects every swap of two neighbouring
generated symbols ``a b``: ``i`` changes by ``(a - b) * R' * (b' - 1)`` where
``R'`` is the right neighbour's place value and ``b'`` its radix; again no
factor is a multiple of ``q``.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

from .symbols import DIGITS, ENGLISH, SymbolError, apply_case, distinct, is_lookalike_of_any


def next_prime(n: int) -> int:
    """The smallest prime strictly greater than ``n``."""
    candidate = max(n + 1, 2)
    while any(candidate % d == 0 for d in range(2, int(candidate ** 0.5) + 1)):
        candidate += 1
    return candidate


@dataclass(frozen=True)
class CheckCharacter:
    """How to compute and verify the check character of a template's codes."""

    alphabet: str
    weights: tuple[int, ...]  # place value of each placeholder position, modulo the modulus

    @property
    def modulus(self) -> int:
        return len(self.alphabet)

    def symbol_for(self, index: int) -> str:
        """The check character of the code whose index is ``index``."""
        return self.alphabet[index % self.modulus]

    def column(self, columns: list[bytes], count: int) -> bytes:
        """The check digits of ``count`` codes given their placeholder digit columns (see ``Template``)."""
        q = self.modulus
        total: list[int] = [0] * count
        for weight, column in zip(self.weights, columns, strict=True):
            table = [digit * weight % q for digit in range(256)]
            total = list(map(operator.add, total, map(table.__getitem__, column)))
        return bytes([value % q for value in total])


def build_check(radices: list[int], symbols_in_use: str, case: str, exclude_lookalikes: bool) -> CheckCharacter:
    """The check character for placeholders of ``radices`` (in code order).

    Its alphabet is the template's own symbols, topped up from
    ``X``, letters and digits (in the template's case, without look-alikes
    when asked) until it reaches the prime modulus.  Raises SymbolError when
    no such alphabet can be found.
    """
    modulus = next_prime(max(radices, default=1))
    alphabet = _check_alphabet(modulus, symbols_in_use, case, exclude_lookalikes)
    weights, place = [], 1
    for radix in reversed(radices):
        weights.append(place % modulus)
        place *= radix
    return CheckCharacter(alphabet, tuple(reversed(weights)))


def _check_alphabet(size: int, symbols_in_use: str, case: str, exclude_lookalikes: bool) -> str:
    alphabet = distinct(symbols_in_use)[:size]
    letters = apply_case("X" + ENGLISH, "lower" if case == "lower" else "upper")
    for symbol in distinct(letters + DIGITS):
        if len(alphabet) >= size:
            break
        if symbol in alphabet or (exclude_lookalikes and is_lookalike_of_any(symbol, alphabet)):
            continue
        alphabet += symbol
    if len(alphabet) < size:
        raise SymbolError(f"no check alphabet of {size} distinct symbols can be built for this template")
    return alphabet
