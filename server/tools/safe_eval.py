"""Evaluate the small Python expressions of data files (``eval="[(4, ref('x'))]"``) safely.

Only literals, containers, arithmetic, comparisons, names given by the caller
and calls to callables given by the caller (or methods of dates and strings)
are allowed.  Anything else (attribute names with underscores, imports,
lambdas, comprehensions) is refused with ``ValueError`` naming the construct.
"""
from __future__ import annotations

import ast
import datetime
import operator
import time

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
           ast.NotIn: lambda a, b: a not in b}
SAFE_TYPES = (str, int, float, bool, datetime.date, datetime.datetime, datetime.timedelta, list, tuple, dict)
DEFAULT_NAMES = {"True": True, "False": False, "None": None, "time": time, "datetime": datetime.datetime,
                 "date": datetime.date, "timedelta": datetime.timedelta}


def safe_eval(expression: str, names: dict | None = None, locals_dict: dict | None = None, mode: str = "eval",
              nocopy: bool = False, locals_builtins: bool = False, filename: str | None = None):
    """Evaluate ``expression`` with ``names`` and ``locals_dict`` (plus True/False/None and date helpers).

    Takes Odoo's signature; only ``mode='eval'`` (an expression) is supported.
    Records given in the names may have their fields read (``user.company_id.id``),
    never their methods called.
    """
    if mode != "eval":
        raise ValueError(f"safe_eval(mode={mode!r}) is not supported: only expressions (mode='eval') are")
    scope = {**DEFAULT_NAMES, **(names or {}), **(locals_dict or {})}
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"invalid expression {expression!r}: {exc.msg}") from None
    return _Evaluator(scope).visit(tree.body)


def const_eval(expression: str):
    """The value of a literal expression (numbers, text, containers), nothing else."""
    return ast.literal_eval(expression)


expr_eval = safe_eval


def test_python_expr(expr: str, mode: str = "eval") -> str | bool:
    """False when ``expr`` is a valid expression for ``safe_eval``, else the error message."""
    if mode != "eval":
        return f"mode {mode!r} is not supported: only expressions (mode='eval') are"
    try:
        ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        return f"{exc.msg} at line {exc.lineno}"
    return False


RECORD_ATTRIBUTES = frozenset({"ids", "id"})


def _is_recordset(value) -> bool:
    return hasattr(value, "_fields") and hasattr(value, "_ids") and hasattr(value, "env")


class _Evaluator:
    def __init__(self, scope: dict):
        self.scope = scope

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise ValueError(f"{type(node).__name__} is not allowed in a data file expression")
        return method(node)

    def visit_Constant(self, node):
        return node.value

    def visit_List(self, node):
        return [self.visit(e) for e in node.elts]

    def visit_Tuple(self, node):
        return tuple(self.visit(e) for e in node.elts)

    def visit_Dict(self, node):
        return {self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values, strict=False)}

    def visit_Name(self, node):
        if node.id not in self.scope:
            raise ValueError(f"name {node.id!r} is not defined in a data file expression")
        return self.scope[node.id]

    def visit_BinOp(self, node):
        op = BINARY.get(type(node.op))
        if op is None:
            raise ValueError(f"operator {type(node.op).__name__} is not allowed")
        return op(self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node):
        return UNARY[type(node.op)](self.visit(node.operand))

    def visit_BoolOp(self, node):
        values = [self.visit(v) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=False):
            right = self.visit(comparator)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_Subscript(self, node):
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_Attribute(self, node):
        if node.attr.startswith("_"):
            raise ValueError(f"attribute {node.attr!r} is not allowed")
        target = self.visit(node.value)
        if _is_recordset(target):
            if node.attr not in target._fields and node.attr not in RECORD_ATTRIBUTES:
                raise ValueError(f"only fields of records may be read, not {node.attr!r}")
            return getattr(target, node.attr)
        if not (target is time or isinstance(target, SAFE_TYPES) or target in DEFAULT_NAMES.values()):
            raise ValueError(f"attribute access on {type(target).__name__} is not allowed")
        return getattr(target, node.attr)

    def visit_Call(self, node):
        func = self.visit(node.func)
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords}
        return func(*args, **kwargs)
