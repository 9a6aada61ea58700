"""Evaluate the small Python of data files and server actions safely.

``safe_eval`` evaluates the expressions of data files (``eval="[(4, ref('x'))]"``):
only literals, containers, arithmetic, comparisons, names given by the caller
and calls to callables given by the caller (or methods of dates and strings)
are allowed.

``safe_exec`` runs the statements of a server action (``records.write(...)``,
``for``/``if``/assignments, comprehensions, lambdas) with the names it is given.
Attributes of any object may be read (``model._name`` too), except dunder
names and the few that lead to frames, code or configuration; attributes may
be assigned on records only (a field write).  Imports, ``def``/``class``,
``global``, ``with`` and ``try`` are refused.

Anything refused raises ``ValueError`` naming the construct.
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

    Takes Odoo's signature.  ``mode='eval'``: an expression, where records given in the names may
    have their fields read (``user.company_id.id``), never their methods called.  ``mode='exec'``:
    statements, run by ``safe_exec`` (server action code); with ``nocopy`` the names it assigns
    (``action = ...``) are written back into ``names``, as Odoo's callers read them.
    """
    if mode == "exec":
        scope = safe_exec(expression, {**(names or {}), **(locals_dict or {})})
        if nocopy and names is not None:
            names.update({k: v for k, v in scope.items() if k not in DEFAULT_NAMES and k not in SAFE_BUILTINS})
        return None
    if mode != "eval":
        raise ValueError(f"safe_eval(mode={mode!r}) is not supported: use 'eval' or 'exec'")
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
    """False when ``expr`` is valid for ``safe_eval`` in ``mode``, else the error message."""
    if mode not in ("eval", "exec"):
        return f"mode {mode!r} is not supported: use 'eval' or 'exec'"
    try:
        ast.parse(expr.strip(), mode=mode)
    except SyntaxError as exc:
        return f"{exc.msg} at line {exc.lineno}"
    return False


RECORD_ATTRIBUTES = frozenset({"ids", "id"})


def _is_recordset(value) -> bool:
    return hasattr(value, "_fields") and hasattr(value, "_ids") and hasattr(value, "env")


class _Evaluator:
    where = "a data file expression"

    def __init__(self, scope: dict):
        self.scope = scope

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise ValueError(f"{type(node).__name__} is not allowed in {self.where}")
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
            raise ValueError(f"name {node.id!r} is not defined in {self.where}")
        return self.scope[node.id]

    def visit_BinOp(self, node):
        op = BINARY.get(type(node.op))
        if op is None:
            raise ValueError(f"operator {type(node.op).__name__} is not allowed")
        return op(self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node):
        return UNARY[type(node.op)](self.visit(node.operand))

    def visit_BoolOp(self, node):
        """Python's ``and``/``or``: short-circuit, the value that decided (``x or ''``)."""
        result = None
        for value_node in node.values:
            result = self.visit(value_node)
            if bool(result) != isinstance(node.op, ast.And):
                return result
        return result

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
        target = self.visit(node.value)
        self.check_attribute(target, node.attr)
        return getattr(target, node.attr)

    def check_attribute(self, target, attr: str) -> None:
        if attr.startswith("_"):
            raise ValueError(f"attribute {attr!r} is not allowed")
        if _is_recordset(target):
            if attr not in target._fields and attr not in RECORD_ATTRIBUTES:
                raise ValueError(f"only fields of records may be read, not {attr!r}")
            return
        if not (target is time or isinstance(target, SAFE_TYPES) or target in DEFAULT_NAMES.values()):
            raise ValueError(f"attribute access on {type(target).__name__} is not allowed")

    def visit_Call(self, node):
        func = self.visit(node.func)
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords}
        return func(*args, **kwargs)


# -- statements (server actions) ----------------------------------------------------------------
# Attribute names that reach frames, code objects or the server's configuration without a leading
# underscore; ``format`` would read any attribute through a format string.
FORBIDDEN_ATTRIBUTES = frozenset({
    "format", "format_map", "mro", "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "ag_frame",
    "ag_code", "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "tb_frame", "tb_next", "co_code",
    "func_globals", "func_code", "config", "database", "connect_params",
})
SAFE_BUILTINS = {
    name: getattr(__builtins__, name, None) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in ("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "int",
                 "isinstance", "len", "list", "map", "max", "min", "range", "repr", "reversed", "round",
                 "set", "sorted", "str", "sum", "tuple", "zip", "Exception", "ValueError", "KeyError")
}
MAX_LOOP_ITERATIONS = 1_000_000
BINARY.update({ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
               ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift})
UNARY[ast.Invert] = operator.invert
COMPARE.update({ast.Is: operator.is_, ast.IsNot: operator.is_not})


def safe_exec(code: str, names: dict | None = None) -> dict:
    """Run the statements of ``code`` with ``names``; return the names afterwards (``action``...).

    Raises ``ValueError`` for a construct that is not allowed, ``SyntaxError`` for bad code, and
    whatever the code itself raises (``UserError``...).
    """
    scope = {**DEFAULT_NAMES, **SAFE_BUILTINS, **(names or {})}
    tree = ast.parse(code or "", mode="exec")
    _Executor(scope).run(tree.body)
    return scope


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Executor(_Evaluator):
    """Statements and the richer expressions of server actions, over ``scope``."""

    where = "server action code"

    def check_attribute(self, target, attr: str) -> None:
        if "__" in attr or attr in FORBIDDEN_ATTRIBUTES:
            raise ValueError(f"attribute {attr!r} is not allowed")

    def child(self, bindings: dict) -> _Executor:
        return _Executor({**self.scope, **bindings})

    def run(self, statements: list) -> None:
        for statement in statements:
            self.visit(statement)

    # statements
    def visit_Expr(self, node):
        self.visit(node.value)

    def visit_Pass(self, node):
        pass

    def visit_Break(self, node):
        raise _Break()

    def visit_Continue(self, node):
        raise _Continue()

    def visit_Assign(self, node):
        value = self.visit(node.value)
        for target in node.targets:
            self.assign(target, value)

    def visit_AugAssign(self, node):
        op = BINARY.get(type(node.op))
        if op is None:
            raise ValueError(f"operator {type(node.op).__name__} is not allowed")
        current = self.visit(_as_load(node.target))
        self.assign(node.target, op(current, self.visit(node.value)))

    def visit_If(self, node):
        self.run(node.body if self.visit(node.test) else node.orelse)

    def visit_For(self, node):
        for count, item in enumerate(self.visit(node.iter)):
            _check_loop(count)
            self.assign(node.target, item)
            if not self._loop_body_continues(node.body):
                return
        self.run(node.orelse)

    def visit_While(self, node):
        count = 0
        while self.visit(node.test):
            count += 1
            _check_loop(count)
            if not self._loop_body_continues(node.body):
                return
        self.run(node.orelse)

    def _loop_body_continues(self, body) -> bool:
        """Run one pass of a loop's body: False when it ``break``s (the ``else`` branch is skipped then)."""
        try:
            self.run(body)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    def visit_Raise(self, node):
        exc = self.visit(node.exc) if node.exc else None
        if not (isinstance(exc, BaseException) or (isinstance(exc, type) and issubclass(exc, BaseException))):
            raise ValueError("raise needs an exception")
        raise exc

    def assign(self, target, value) -> None:
        if isinstance(target, ast.Name):
            self.scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = list(value)
            if len(values) != len(target.elts):
                raise ValueError(f"cannot unpack {len(values)} values into {len(target.elts)} names")
            for element, item in zip(target.elts, values, strict=True):
                self.assign(element, item)
        elif isinstance(target, ast.Subscript):
            self.visit(target.value)[self.visit(target.slice)] = value
        elif isinstance(target, ast.Attribute):
            record = self.visit(target.value)
            if "__" in target.attr or target.attr not in getattr(record, "_fields", ()):
                raise ValueError(f"only record fields may be assigned, not {target.attr!r}")
            setattr(record, target.attr, value)
        else:
            raise ValueError(f"cannot assign to {type(target).__name__}")

    # expressions
    def visit_IfExp(self, node):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Set(self, node):
        return {self.visit(e) for e in node.elts}

    def visit_Slice(self, node):
        return slice(*(self.visit(part) if part else None for part in (node.lower, node.upper, node.step)))

    def visit_JoinedStr(self, node):
        return "".join(str(self.visit(part)) for part in node.values)

    def visit_FormattedValue(self, node):
        value = self.visit(node.value)
        value = {115: str, 114: repr, 97: ascii}.get(node.conversion, lambda v: v)(value)
        spec = self.visit(node.format_spec) if node.format_spec else ""
        return format(value, spec)

    def visit_Call(self, node):
        func = self.visit(node.func)
        args = []
        for arg in node.args:
            args.extend(self.visit(arg.value)) if isinstance(arg, ast.Starred) else args.append(self.visit(arg))
        kwargs = {}
        for keyword in node.keywords:
            kwargs.update(self.visit(keyword.value)) if keyword.arg is None else \
                kwargs.__setitem__(keyword.arg, self.visit(keyword.value))
        return func(*args, **kwargs)

    def visit_Lambda(self, node):
        params = [a.arg for a in node.args.args]
        if node.args.vararg or node.args.kwarg or node.args.kwonlyargs or node.args.defaults:
            raise ValueError("lambda takes plain positional parameters only")

        def function(*args):
            if len(args) != len(params):
                raise TypeError(f"lambda takes {len(params)} arguments, got {len(args)}")
            return self.child(dict(zip(params, args, strict=True))).visit(node.body)
        return function

    def _comprehension(self, generators: list, produce) -> None:
        def loop(index: int, executor: _Executor) -> None:
            if index == len(generators):
                produce(executor)
                return
            generator = generators[index]
            for count, item in enumerate(executor.visit(generator.iter)):
                _check_loop(count)
                inner = executor.child({})
                inner.assign(generator.target, item)
                if all(inner.visit(condition) for condition in generator.ifs):
                    loop(index + 1, inner)
        loop(0, self)

    def visit_ListComp(self, node):
        result = []
        self._comprehension(node.generators, lambda ex: result.append(ex.visit(node.elt)))
        return result

    visit_GeneratorExp = visit_ListComp

    def visit_SetComp(self, node):
        return set(self.visit_ListComp(node))

    def visit_DictComp(self, node):
        result = {}
        self._comprehension(node.generators,
                            lambda ex: result.__setitem__(ex.visit(node.key), ex.visit(node.value)))
        return result


def _as_load(target):
    """The expression reading what an augmented assignment writes."""
    copy = ast.fix_missing_locations(ast.parse(ast.unparse(target), mode="eval")).body
    return copy


def _check_loop(count: int) -> None:
    if count >= MAX_LOOP_ITERATIONS:
        raise ValueError(f"a loop ran more than {MAX_LOOP_ITERATIONS} times")
