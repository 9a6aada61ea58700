"""``@tools.ormcache``: memoise a model method in the registry's process cache (``odoo.tools.cache``).

The cache key is the model, the method and the values of the expressions
given to the decorator, evaluated with the method's arguments
(``@ormcache('self.env.uid', 'xml_id')``).  Values live in
``registry.cache('ormcache')``, so ``registry.clear_cache(cr)``, which every
change to access data already calls, empties them in every process.
Cached methods must return values that do not depend on the transaction
(ids, tuples, frozen data), never recordsets.
"""
from __future__ import annotations

import functools
import inspect

CACHE_NAME = "ormcache"
MAX_ENTRIES = 8192


def _key_function(method, expressions: tuple[str, ...]):
    """A function of the method's arguments returning the tuple of ``expressions``' values."""
    params = list(inspect.signature(method).parameters.values())
    signature = ", ".join(str(p.replace(annotation=inspect.Parameter.empty)) for p in params)
    body = ", ".join(expressions)
    # The expressions are the addon developer's own code, as in Odoo; nothing from a request reaches here.
    return eval(f"lambda {signature}: ({body}{',' if expressions else ''})", {})  # noqa: S307


class ormcache:  # noqa: N801  (Odoo's name)
    """Memoise the decorated model method on the values of ``args`` (expressions of its parameters)."""

    def __init__(self, *args: str, skiparg: int | None = None, **kwargs):
        if skiparg is not None:
            raise TypeError("ormcache(skiparg=...) is not supported: name the arguments of the key instead")
        self.args = args

    def key_expressions(self) -> tuple[str, ...]:
        return self.args

    def __call__(self, method):
        key_of = _key_function(method, self.key_expressions())

        @functools.wraps(method)
        def cached(model, *args, **kwargs):
            cache = model.pool.cache(CACHE_NAME)
            key = (model._name, method.__qualname__, key_of(model, *args, **kwargs))
            try:
                return cache[key]
            except KeyError:
                pass
            value = method(model, *args, **kwargs)
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            cache[key] = value
            return value

        cached.__cache__ = self
        return cached


class ormcache_context(ormcache):  # noqa: N801
    """``ormcache`` whose key also holds the context values of ``keys`` (``keys=('lang',)``)."""

    def __init__(self, *args: str, keys: tuple = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = tuple(keys)

    def key_expressions(self) -> tuple[str, ...]:
        context = [f"self.env.context.get({key!r})" for key in self.keys]
        return (*self.args, *context)
