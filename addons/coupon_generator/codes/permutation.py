"""A keyed pseudo-random permutation of ``range(size)``: distinct codes in random order, with no retry.

Walking positions ``0, 1, 2, ...`` through the permutation visits every
number below ``size`` exactly once, in an order only the key holder can
predict.  A generation process stores the key and how far it walked (its
cursor), so it can stop, crash and resume without repeating a code, and a
request for 100 % of the space succeeds in exactly ``size`` steps.

Construction: a balanced Feistel network on ``2h`` bits (``4**h >= size``)
whose round functions are random tables derived from the key with SHAKE-256,
plus cycle walking to stay below ``size``.  It is meant for dense spaces
(up to 2**32 codes), where codes are guessable anyway; sparse spaces draw
codes straight from the operating system's CSPRNG instead.
"""
from __future__ import annotations

import hashlib
import sys
from array import array

MAX_SIZE = 2 ** 32
ROUNDS = 8
KEY_BYTES = 32


class Permutation:
    """``Permutation(size, key).apply(positions)`` -> the permuted numbers, all below ``size``."""

    def __init__(self, size: int, key: bytes):
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"a permutation covers 1 to {MAX_SIZE} numbers, not {size}")
        if len(key) < 16:
            raise ValueError("a permutation key needs at least 16 bytes")
        self.size = size
        self.half = max(1, ((size - 1).bit_length() + 1) // 2)
        self.mask = (1 << self.half) - 1
        self.tables = [self._round_table(key, number) for number in range(ROUNDS)]

    def _round_table(self, key: bytes, number: int) -> list[int]:
        values = array("H", hashlib.shake_256(key + bytes([number])).digest(2 << self.half))
        if sys.byteorder == "big":
            values.byteswap()  # the same key gives the same permutation on every machine
        return [value & self.mask for value in values]

    def _encrypt(self, values: list[int]) -> list[int]:
        half, mask = self.half, self.mask
        left = [value >> half for value in values]
        right = [value & mask for value in values]
        for table in self.tables:
            left, right = right, [a ^ table[b] for a, b in zip(left, right, strict=True)]
        return [(a << half) | b for a, b in zip(left, right, strict=True)]

    def apply(self, positions: list[int]) -> list[int]:
        """The images of ``positions`` (each in ``range(size)``); distinct positions give distinct numbers."""
        result = self._encrypt(positions)
        pending = [i for i, value in enumerate(result) if value >= self.size]
        while pending:  # cycle walking: at most 4 ** h / size rounds on average
            for i, value in zip(pending, self._encrypt([result[i] for i in pending]), strict=True):
                result[i] = value
            pending = [i for i in pending if result[i] >= self.size]
        return result
