"""Symbol collections: the alphabets a template's placeholders draw from.

A collection is an ordered string of distinct symbols; the symbol at
position ``i`` stands for digit ``i`` when a code is read as a number, so
the order is part of the collection's identity.  Presets follow the
original module (digits, English and Russian letters, special characters);
any string, any union and any letter case can be built from them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DIGITS = "0123456789"
ENGLISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# All 33 letters, the soft sign in upper case too (the original had a lower-case one in its upper-case set).
RUSSIAN = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
SPECIAL = "[]№%:;,.()_-+=|/~@#$&*><?"
CASES = ("upper", "lower", "mixed")
# A symbol's digit must fit in one byte, with room for the prime modulus of the check character.
MAX_SYMBOLS = 250

# Symbols a reader may take for one another; every symbol belongs to at most one group.
LOOKALIKE_GROUPS = (
    "0OoОоQ", "1Il|!", "2Zz", "5Ss", "8BВ", "6б", "3Зз", "4Чч", "9gq",
    "AА", "aа", "CcСс", "EЕ", "eе", "HН", "KkКк", "MМм", "PpРр", "TТт", "XxХх", "yу", "YУ",
    "bЬь", "nп", "Uuи", "Vv", "Ww", "Jj", "-_", ".,", ":;",
)
_GROUP_OF = {symbol: index for index, group in enumerate(LOOKALIKE_GROUPS) for symbol in group}


class SymbolError(ValueError):
    """A collection cannot be built as asked; the message names the problem."""


@dataclass(frozen=True)
class SymbolCollection:
    """An ordered set of distinct symbols (``len`` is the radix of a placeholder)."""

    symbols: str

    def __post_init__(self) -> None:
        problem = collection_problem(self.symbols)
        if problem:
            raise SymbolError(problem)

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self.symbols

    def __or__(self, other: SymbolCollection) -> SymbolCollection:
        return union(self, other)

    def with_case(self, case: str) -> SymbolCollection:
        """The same symbols in ``case`` ('upper', 'lower' or 'mixed'); non-letters are kept as they are."""
        return SymbolCollection(apply_case(self.symbols, case))

    def without(self, symbols: Iterable[str]) -> SymbolCollection:
        """This collection minus ``symbols``; raises SymbolError if nothing is left."""
        drop = set(symbols)
        return SymbolCollection("".join(s for s in self.symbols if s not in drop))


def collection_problem(symbols: str) -> str | None:
    """Why ``symbols`` cannot be a collection, or None."""
    if not symbols:
        return "a symbol collection needs at least one symbol"
    if len(set(symbols)) != len(symbols):
        return f"symbols must be distinct, got {symbols!r}"
    if len(symbols) > MAX_SYMBOLS:
        return f"a symbol collection holds at most {MAX_SYMBOLS} symbols, got {len(symbols)}"
    if any(not s.isprintable() or s.isspace() for s in symbols):
        return f"symbols must be printable and not blank, got {symbols!r}"
    return None


def distinct(text: str) -> str:
    """``text`` without repeated symbols, first occurrence kept."""
    return "".join(dict.fromkeys(text))


def _one_char_case(symbol: str, method: str) -> str:
    changed = getattr(symbol, method)()
    return changed if len(changed) == 1 else symbol  # 'ß'.upper() is 'SS': keep such letters as they are


def apply_case(symbols: str, case: str) -> str:
    """``symbols`` in upper, lower or mixed (upper then lower) case, without repeats."""
    if case not in CASES:
        raise SymbolError(f"unknown letter case {case!r}: use one of {', '.join(CASES)}")
    upper = "".join(_one_char_case(s, "upper") for s in symbols)
    lower = "".join(_one_char_case(s, "lower") for s in symbols)
    return distinct({"upper": upper, "lower": lower, "mixed": upper + lower}[case])


def digits() -> SymbolCollection:
    return SymbolCollection(DIGITS)


def english(case: str = "upper") -> SymbolCollection:
    return SymbolCollection(apply_case(ENGLISH, case))


def russian(case: str = "upper") -> SymbolCollection:
    return SymbolCollection(apply_case(RUSSIAN, case))


def special() -> SymbolCollection:
    return SymbolCollection(SPECIAL)


def from_string(text: str, case: str | None = None) -> SymbolCollection:
    """A collection of the distinct symbols of ``text`` (in ``case`` when given)."""
    return SymbolCollection(distinct(apply_case(text, case) if case else text))


def union(*collections: SymbolCollection) -> SymbolCollection:
    """The symbols of every collection, in order, each once."""
    return SymbolCollection(distinct("".join(c.symbols for c in collections)))


PRESETS = {"digits": digits, "english": english, "russian": russian, "special": special}
SPEC_KEYS = ("preset", "symbols", "union")


def from_spec(spec, case: str = "upper") -> SymbolCollection:
    """Build a collection from its description in settings (JSON-friendly).

    A spec is a preset name (``"digits"``, ``"english"``, ``"russian"``,
    ``"special"``), a list of specs (their union), or a dict with one of
    ``preset``, ``symbols`` (any string) or ``union`` and an optional
    ``case``.  Letter presets follow ``case``; ``symbols`` are taken as
    written unless the spec names a case.  Raises SymbolError.
    """
    if isinstance(spec, str):
        return _preset(spec, case)
    if isinstance(spec, list):
        return union(*(from_spec(part, case) for part in spec)) if spec else from_string("")
    if isinstance(spec, Mapping):
        return _from_mapping(spec, case)
    raise SymbolError(f"a symbol collection is a preset name, a list or a dict, not {type(spec).__name__}")


def _preset(name: str, case: str) -> SymbolCollection:
    factory = PRESETS.get(name)
    if factory is None:
        raise SymbolError(f"unknown symbol preset {name!r}: use one of {', '.join(PRESETS)} "
                          "or {'symbols': '...'} for your own")
    return factory(case) if name in ("english", "russian") else factory()


def _from_mapping(spec: Mapping, case: str) -> SymbolCollection:
    kinds = [key for key in SPEC_KEYS if key in spec]
    unknown = sorted(set(spec) - set(SPEC_KEYS) - {"case"})
    if len(kinds) != 1 or unknown:
        raise SymbolError(f"a symbol collection dict needs exactly one of {', '.join(SPEC_KEYS)} "
                          f"(and optionally 'case'), got {sorted(spec)}")
    own_case = spec.get("case")
    if kinds[0] == "symbols":
        if not isinstance(spec["symbols"], str):
            raise SymbolError("'symbols' must be a string of the symbols to use")
        return from_string(spec["symbols"], own_case)
    inner = spec[kinds[0]]
    if kinds[0] == "union" and not isinstance(inner, list):
        raise SymbolError("'union' must be a list of symbol collections")
    return from_spec(inner, own_case or case)


def ambiguous_symbols(symbols: Iterable[str]) -> set[str]:
    """The symbols that share a look-alike group with another symbol of ``symbols``."""
    present: dict[int, set[str]] = {}
    for symbol in set(symbols):
        if symbol in _GROUP_OF:
            present.setdefault(_GROUP_OF[symbol], set()).add(symbol)
    return {symbol for group in present.values() if len(group) > 1 for symbol in group}


def is_lookalike_of_any(symbol: str, symbols: Iterable[str]) -> bool:
    """Whether ``symbol`` could be read as one of ``symbols`` (other than itself)."""
    group = _GROUP_OF.get(symbol)
    return group is not None and any(_GROUP_OF.get(other) == group for other in symbols if other != symbol)
