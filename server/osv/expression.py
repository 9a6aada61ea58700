"""Domain manipulation as addons do it (``odoo.osv.expression``): combine, normalise, negate.

These work on the domain lists themselves; compiling a domain to SQL is the
ORM's (``server/orm/domain.py``), which accepts every domain these return.
"""
from __future__ import annotations

from ..orm.domain import FALSE_LEAF, OPERATORS, TRUE_LEAF

NOT_OPERATOR = "!"
OR_OPERATOR = "|"
AND_OPERATOR = "&"
DOMAIN_OPERATORS = (NOT_OPERATOR, OR_OPERATOR, AND_OPERATOR)
TERM_OPERATORS = tuple(sorted(OPERATORS))
NEGATIVE_TERM_OPERATORS = ("!=", "not like", "not ilike", "not in")
TERM_OPERATORS_NEGATION = {
    "<": ">=", ">": "<=", "<=": ">", ">=": "<", "=": "!=", "!=": "=", "in": "not in", "like": "not like",
    "ilike": "not ilike", "not in": "in", "not like": "like", "not ilike": "ilike",
}
TRUE_DOMAIN = [TRUE_LEAF]
FALSE_DOMAIN = [FALSE_LEAF]


def is_operator(element) -> bool:
    """Whether ``element`` is one of ``& | !``."""
    return isinstance(element, str) and element in DOMAIN_OPERATORS


def is_leaf(element, internal: bool = False) -> bool:
    """Whether ``element`` is a term ``(field, operator, value)``."""
    if not isinstance(element, (list, tuple)) or len(element) != 3:
        return False
    operator = element[1]
    return isinstance(operator, str) and (operator.lower() in OPERATORS or operator == "<>") \
        or tuple(element) in (TRUE_LEAF, FALSE_LEAF)


def is_boolean(element) -> bool:
    """Whether ``element`` is the always-true or always-false term."""
    return isinstance(element, (list, tuple)) and tuple(element) in (TRUE_LEAF, FALSE_LEAF)


def is_false(model, domain) -> bool:
    """Whether ``domain`` obviously matches nothing (a FALSE term where it decides), without SQL."""
    normalized = normalize_domain(domain)
    stack: list[int] = []  # 1 true, -1 false, 0 unknown, evaluated in reverse
    for token in reversed(normalized):
        if token == NOT_OPERATOR:
            stack.append(-stack.pop())
        elif token == AND_OPERATOR:
            a, b = stack.pop(), stack.pop()
            stack.append(-1 if -1 in (a, b) else 1 if a == b == 1 else 0)
        elif token == OR_OPERATOR:
            a, b = stack.pop(), stack.pop()
            stack.append(1 if 1 in (a, b) else -1 if a == b == -1 else 0)
        elif tuple(token) == TRUE_LEAF:
            stack.append(1)
        elif tuple(token) == FALSE_LEAF:
            stack.append(-1)
        elif token[1] == "in" and not token[2] and isinstance(token[2], (list, tuple)):
            stack.append(-1)
        else:
            stack.append(0)
    return stack.pop() == -1 if stack else False


def normalize_leaf(element):
    """The term with its operator lower-cased, ``<>`` as ``!=`` and ``=``/``!=`` of lists as ``in``/``not in``."""
    if not is_leaf(element) or is_boolean(element):
        return element
    left, operator, right = element
    operator = operator.lower()
    if operator == "<>":
        operator = "!="
    if isinstance(right, (list, tuple)) and operator in ("=", "!="):
        operator = "in" if operator == "=" else "not in"
    return (left, operator, right)


def normalize_domain(domain) -> list:
    """``domain`` with every implicit ``&`` written out (an empty domain is ``TRUE_DOMAIN``)."""
    if not domain:
        return [TRUE_LEAF]
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Domains to normalize must be lists, got {type(domain).__name__}")
    result: list = []
    expected = 1  # terms still expected to complete the expression
    for token in domain:
        if expected == 0:
            result[0:0] = [AND_OPERATOR]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = tuple(token)
        elif token in (AND_OPERATOR, OR_OPERATOR):
            expected += 1
        elif token == NOT_OPERATOR:
            pass
        else:
            raise ValueError(f"Invalid domain term {token!r}")
        result.append(token)
    if expected:
        raise ValueError(f"Domain {domain!r} is syntactically not correct.")
    return result


def combine(operator: str, unit, zero, domains) -> list:
    """Join ``domains`` with ``operator``; ``unit`` terms are dropped, a ``zero`` decides the result."""
    result, count = [], 0
    if domains == [unit]:
        return unit
    for domain in domains:
        if domain == unit:
            continue
        if domain == zero:
            return zero
        if domain:
            result += normalize_domain(domain)
            count += 1
    result = [operator] * (count - 1) + result
    return result or unit


def AND(domains) -> list:  # noqa: N802  (Odoo's name)
    """The domain matching what every one of ``domains`` matches."""
    return combine(AND_OPERATOR, [TRUE_LEAF], [FALSE_LEAF], domains)


def OR(domains) -> list:  # noqa: N802  (Odoo's name)
    """The domain matching what any one of ``domains`` matches."""
    return combine(OR_OPERATOR, [FALSE_LEAF], [TRUE_LEAF], domains)


def distribute_not(domain) -> list:
    """``domain`` with every ``!`` pushed down to its terms (negated operators where they exist)."""
    result, stack = [], [False]
    for token in normalize_domain(domain):
        negate = stack.pop()
        if is_leaf(token):
            if negate:
                left, operator, right = normalize_leaf(token)
                if is_boolean(token):
                    result.append(FALSE_LEAF if tuple(token) == TRUE_LEAF else TRUE_LEAF)
                elif operator in TERM_OPERATORS_NEGATION:
                    result.append((left, TERM_OPERATORS_NEGATION[operator], right))
                else:
                    result += [NOT_OPERATOR, token]
            else:
                result.append(token)
        elif token == NOT_OPERATOR:
            stack.append(not negate)
        else:
            flipped = {AND_OPERATOR: OR_OPERATOR, OR_OPERATOR: AND_OPERATOR}[token] if negate else token
            result.append(flipped)
            stack += [negate, negate]
    return result

