"""SQL helpers of addon code (``odoo.tools.sql``): composable ``SQL`` and schema probes, on both backends.

``SQL("SELECT id FROM %s WHERE name = %s", SQL.identifier("res_partner"), name)``
keeps code and parameters apart: a nested ``SQL`` is inlined, anything else
becomes a bound parameter.  ``cr.execute(sql_object)`` runs it.
"""
from __future__ import annotations

import re

IDENTIFIER_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class SQL:
    """A fragment of SQL code and its parameters, combined without string formatting of values."""

    __slots__ = ("code", "params")

    def __init__(self, code: str | SQL = "", *args, **kwargs):
        if isinstance(code, SQL):
            if args or kwargs:
                raise TypeError("SQL(sql_object) takes no further arguments")
            self.code, self.params = code.code, list(code.params)
            return
        if args and kwargs:
            raise TypeError("SQL() takes positional or named arguments, not both")
        if kwargs:
            names = re.findall(r"%\((\w+)\)s", code)
            args = tuple(kwargs[name] for name in names)
            code = re.sub(r"%\((\w+)\)s", "%s", code)
        pieces, params = [], []
        for arg in args:
            if isinstance(arg, SQL):
                pieces.append(arg.code)
                params.extend(arg.params)
            else:
                pieces.append("%s")
                params.append(arg)
        self.code = code % tuple(pieces) if args else code
        self.params = params

    def __repr__(self) -> str:
        return f"SQL({self.code!r}, {self.params!r})"

    def __bool__(self) -> bool:
        return bool(self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, SQL) and (self.code, self.params) == (other.code, other.params)

    __hash__ = None

    def join(self, args) -> SQL:
        """The fragments ``args`` separated by this one (``SQL(", ").join([...])``)."""
        args = [arg if isinstance(arg, SQL) else SQL("%s", arg) for arg in args]
        joined = SQL()
        joined.code = self.code.join(arg.code for arg in args)
        for index, arg in enumerate(args):
            if index:
                joined.params.extend(self.params)
            joined.params.extend(arg.params)
        return joined

    @classmethod
    def identifier(cls, name: str, subname: str | None = None) -> SQL:
        """A quoted table or column name (``"table"."column"`` with ``subname``)."""
        for part in (name, subname):
            if part is not None and not IDENTIFIER_RE.match(part):
                raise ValueError(f"invalid SQL identifier {part!r}")
        return cls(f'"{name}"."{subname}"' if subname else f'"{name}"')


def _database(cr):
    return cr.database


def table_exists(cr, tablename: str) -> bool:
    return _database(cr).table_exists(tablename)


def existing_tables(cr, tablenames) -> list[str]:
    return [name for name in tablenames if table_exists(cr, name)]


def column_exists(cr, tablename: str, columnname: str) -> bool:
    return any(column.name == columnname for column in _database(cr).get_columns(tablename))


def table_columns(cr, tablename: str) -> dict:
    """``{column name: {'type': ..., 'null': ...}}`` of ``tablename``."""
    return {c.name: {"type": c.data_type, "null": c.null} for c in _database(cr).get_columns(tablename)}


def create_column(cr, tablename: str, columnname: str, columntype: str, comment: str | None = None) -> None:
    """Add a column (``comment`` is ignored: SQLite has no column comments)."""
    cr.execute(f'ALTER TABLE "{_checked(tablename)}" ADD COLUMN "{_checked(columnname)}" {columntype}')


def rename_column(cr, tablename: str, columnname1: str, columnname2: str) -> None:
    cr.execute(f'ALTER TABLE "{_checked(tablename)}" RENAME COLUMN "{_checked(columnname1)}" '
               f'TO "{_checked(columnname2)}"')


def index_exists(cr, indexname: str) -> bool:
    database = _database(cr)
    if database.dialect == "sqlite":
        return bool(cr.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s",
                               (indexname,)).fetchone())
    return bool(cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (indexname,)).fetchone())


def create_index(cr, indexname: str, tablename: str, expressions, method: str = "btree", where: str = "") -> None:
    """Create the index unless it exists (``method`` applies on PostgreSQL only)."""
    _index(cr, "INDEX", indexname, tablename, expressions, method, where)


def create_unique_index(cr, indexname: str, tablename: str, expressions) -> None:
    _index(cr, "UNIQUE INDEX", indexname, tablename, expressions, "btree", "")


def _index(cr, kind: str, indexname: str, tablename: str, expressions, method: str, where: str) -> None:
    using = f" USING {method}" if _database(cr).dialect != "sqlite" else ""
    clause = f" WHERE {where}" if where else ""
    cr.execute(f'CREATE {kind} IF NOT EXISTS "{_checked(indexname)}" ON "{_checked(tablename)}"{using} '
               f'({", ".join(expressions)}){clause}')


def drop_index(cr, indexname: str, tablename: str | None = None) -> None:
    cr.execute(f'DROP INDEX IF EXISTS "{_checked(indexname)}"')


def drop_view_if_exists(cr, viewname: str) -> None:
    cr.execute(f'DROP VIEW IF EXISTS "{_checked(viewname)}"')


def escape_psql(text: str) -> str:
    """``text`` with LIKE wildcards escaped (``%`` ``_`` ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pg_varchar(size: int = 0) -> str:
    return f"VARCHAR({size})" if size else "VARCHAR"


def reverse_order(order: str) -> str:
    """``'name desc, id'`` -> ``'name asc, id desc'``."""
    terms = []
    for term in order.split(","):
        words = term.strip().split()
        direction = "asc" if len(words) > 1 and words[1].lower() == "desc" else "desc"
        terms.append(f"{words[0]} {direction}")
    return ", ".join(terms)


def make_identifier(identifier: str) -> str:
    """``identifier`` shortened to PostgreSQL's 63 bytes, keeping it unique with a hash suffix."""
    if len(identifier) <= 63:
        return identifier
    import hashlib

    return identifier[:54] + "_" + hashlib.sha256(identifier.encode()).hexdigest()[:8]


def make_index_name(table_name: str, column_name: str) -> str:
    return make_identifier(f"{table_name}__{column_name}_index")


def _checked(name: str) -> str:
    if not IDENTIFIER_RE.match(name):
        raise ValueError(f"invalid SQL identifier {name!r}")
    return name
