"""Templates: static characters plus placeholders, and the space of codes they describe.

``parse('SALE-$$##', {'$': english(), '#': digits()})`` gives a Template
whose codes are numbered ``0 .. combinations - 1`` in mixed radix (first
placeholder most significant).  That numbering is what makes sampling
without replacement possible: draw distinct numbers, turn them into codes.

Syntax: every character is static except placeholder characters; a
backslash makes the next character static (``\\#`` is a literal ``#``,
``\\\\`` a backslash).  Codes are built a whole batch at a time from columns
of digits (one byte per code and placeholder), with the per-character work
done by ``bytes.translate`` and extended-slice assignment in C.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .check import CheckCharacter, build_check
from .symbols import SymbolCollection, SymbolError, ambiguous_symbols, distinct

ESCAPE = "\\"
MAX_CODE_LENGTH = 64
_ENCODINGS = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}
_FILLER = "\x00"


class TemplateError(ValueError):
    """A template cannot be used; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Template:
    """A parsed template: ``statics[0] pos[0] statics[1] ... pos[k-1] statics[k]`` then the check character."""

    text: str
    statics: tuple[str, ...]
    positions: tuple[SymbolCollection, ...]
    check: CheckCharacter | None = None

    # -- the code space ----------------------------------------------------------------------
    @property
    def radices(self) -> list[int]:
        return [len(collection) for collection in self.positions]

    @property
    def combinations(self) -> int:
        """The exact number of distinct codes (1 for a template without placeholders)."""
        return math.prod(self.radices)

    @property
    def length(self) -> int:
        """The length of every code, check character included."""
        return sum(map(len, self.statics)) + len(self.positions) + (1 if self.check else 0)

    # -- building codes ------------------------------------------------------------------------
    def code_at(self, index: int) -> str:
        """The code numbered ``index`` (``0 <= index < combinations``)."""
        return self.codes_at([index])[0]

    def codes_at(self, indices: list[int]) -> list[str]:
        """The codes numbered ``indices``, in the same order."""
        columns: list[bytes] = [b""] * len(self.positions)
        rest = list(indices)
        for position in reversed(range(len(self.positions))):
            radix = len(self.positions[position])
            columns[position] = bytes([value % radix for value in rest])
            rest = [value // radix for value in rest]
        return self.codes_from_digits(columns, len(indices))

    def codes_from_digits(self, columns: list[bytes], count: int) -> list[str]:
        """Codes from one column of digits per placeholder (byte ``j`` of column ``p`` is code ``j``'s digit)."""
        if self.check:
            columns = [*columns, self.check.column(columns, count)]
        layout = self._layout
        buffer = bytearray(layout.row * count)
        for offset, tables, column in zip(layout.offsets, layout.tables, columns, strict=True):
            for byte, table in enumerate(tables):
                buffer[offset + byte::layout.stride] = column.translate(table)
        return buffer.decode(layout.encoding).split("\n")[:-1]

    @cached_property
    def _layout(self) -> _Layout:
        return _Layout.of(self)

    # -- reading codes -----------------------------------------------------------------------------
    def index_of(self, code: str) -> int | None:
        """The number of ``code`` in this template, or None if the code is not one of its codes."""
        index, check_ok = self._read(code)
        return index if check_ok else None

    def diagnose(self, code: str) -> str:
        """``'ok'``, ``'shape'`` (not a code of this template) or ``'check'`` (right shape, wrong check character)."""
        index, check_ok = self._read(code)
        if index is None:
            return "shape"
        return "ok" if check_ok else "check"

    def _read(self, code: str) -> tuple[int | None, bool]:
        if not isinstance(code, str) or len(code) != self.length:
            return None, False
        index, cursor = 0, 0
        for static, digits in zip(self.statics, [*self._digit_maps, None], strict=True):
            if code[cursor:cursor + len(static)] != static:
                return None, False
            cursor += len(static)
            if digits is not None:
                digit = digits.get(code[cursor])
                if digit is None:
                    return None, False
                index, cursor = index * len(digits) + digit, cursor + 1
        if self.check is None:
            return index, True
        if code[cursor] not in self.check.alphabet:
            return None, False
        return index, code[cursor] == self.check.symbol_for(index)

    @cached_property
    def _digit_maps(self) -> list[dict[str, int]]:
        return [{symbol: digit for digit, symbol in enumerate(c.symbols)} for c in self.positions]

    # -- patterns ------------------------------------------------------------------------------------
    def slots(self) -> list[str]:
        """Per character of a code: the symbols allowed there (one symbol for a static character)."""
        result: list[str] = []
        for static, collection in zip(self.statics, [*self.positions, None], strict=True):
            result.extend(static)
            if collection is not None:
                result.append(collection.symbols)
        if self.check:
            result.append(self.check.alphabet)
        return result

    def regex(self) -> re.Pattern:
        """A Python regular expression matching this template's code shapes."""
        parts = [re.escape(s) if len(s) == 1 else "[" + "".join(map(re.escape, s)) + "]" for s in self.slots()]
        return re.compile("".join(parts))


@dataclass(frozen=True)
class _Layout:
    """A code row as fixed-width bytes, and how to write each placeholder's column into it."""

    row: bytes
    stride: int
    encoding: str
    offsets: tuple[int, ...]
    tables: tuple[tuple[bytes, ...], ...]

    @classmethod
    def of(cls, template: Template) -> _Layout:
        alphabets = [c.symbols for c in template.positions] + ([template.check.alphabet] if template.check else [])
        width = _char_width("".join(template.statics) + "".join(alphabets))
        encoding = _ENCODINGS[width]
        text = _FILLER.join(template.statics) + (_FILLER if template.check else "") + "\n"
        offsets = tuple(i * width for i, char in enumerate(text) if char == _FILLER)
        tables = tuple(_translation_tables(symbols, encoding, width) for symbols in alphabets)
        row = text.encode(encoding)
        return cls(row, len(row), encoding, offsets, tables)


def _char_width(text: str) -> int:
    highest = max(map(ord, text), default=0)
    return 1 if highest < 0x100 else 2 if highest < 0x10000 else 4


def _translation_tables(symbols: str, encoding: str, width: int) -> tuple[bytes, ...]:
    """Per byte of a symbol's encoding: a 256-entry table from digit to that byte."""
    encoded = [symbol.encode(encoding) for symbol in symbols]
    return tuple(bytes(e[byte] for e in encoded).ljust(256, b"\0") for byte in range(width))


# -- parsing --------------------------------------------------------------------------------------------
def tokenize(text: str, placeholder_chars) -> tuple[list[str], list[str], list[str]]:
    """Split ``text`` into statics and placeholder characters; return (statics, placeholders, problems)."""
    statics: list[str] = [""]
    placeholders: list[str] = []
    problems: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == ESCAPE:
            char = next(chars, None)
            if char is None:
                problems.append(f"template {text!r} ends with a lone backslash, which escapes nothing: "
                                "write two backslashes for a literal one")
                break
            statics[-1] += char
        elif char in placeholder_chars:
            placeholders.append(char)
            statics.append("")
        else:
            statics[-1] += char
    return statics, placeholders, problems


def parse(text: str, placeholders: Mapping[str, SymbolCollection], *, exclude_lookalikes: bool = False,
          check_char: bool = False, case: str = "upper") -> Template:
    """Parse ``text`` with ``placeholders`` (character -> collection); raise TemplateError listing every problem."""
    if not isinstance(text, str) or not text:
        raise TemplateError(["the template is empty: write static characters and placeholders, e.g. 'SALE-$$##'"])
    statics, used, problems = tokenize(text, placeholders)
    problems += _static_problems(text, statics)
    positions = [placeholders[char] for char in used]
    if exclude_lookalikes:
        positions = _without_lookalikes(positions, used, problems)
    check = _check_or_problem(positions, case, exclude_lookalikes, problems) if check_char else None
    if problems:
        raise TemplateError(problems)
    template = Template(text, tuple(statics), tuple(positions), check)
    if template.length > MAX_CODE_LENGTH:
        raise TemplateError([f"codes of template {text!r} would have {template.length} characters; "
                             f"at most {MAX_CODE_LENGTH} are allowed"])
    return template


def _static_problems(text: str, statics: list[str]) -> list[str]:
    bad = sorted({char for char in "".join(statics) if not char.isprintable() or char.isspace()})
    if not bad:
        return []
    return [f"template {text!r} contains spaces or control characters {bad!r}: codes must be one printable word"]


def _without_lookalikes(positions, used, problems) -> list[SymbolCollection]:
    ambiguous = ambiguous_symbols("".join(c.symbols for c in positions))
    kept = []
    for char, collection in zip(used, positions, strict=True):
        try:
            kept.append(collection.without(ambiguous))
        except SymbolError:
            problems.append(f"placeholder {char!r} has no symbol left once look-alikes are removed: "
                            "turn the look-alike option off or use a larger collection")
            kept.append(collection)
    return kept


def _check_or_problem(positions, case, exclude_lookalikes, problems) -> CheckCharacter | None:
    try:
        in_use = distinct("".join(c.symbols for c in positions))
        return build_check([len(c) for c in positions], in_use, case, exclude_lookalikes)
    except SymbolError as exc:
        problems.append(str(exc))
        return None
