"""Controllers and routes, and the werkzeug routing map of a set of installed addons.

``@route`` records its arguments on the function and returns it unchanged.
Which routes are active is decided per database: a controller counts only if
its addon is installed there.  A controller subclassed in another addon is
replaced by its most derived installed subclasses, and a method's routing is
merged from its ancestors (an override without ``@route`` keeps the parent's
URLs), exactly as Odoo's ``_generate_routing_rules`` does.
"""
from __future__ import annotations

import inspect
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from werkzeug.routing import Map, Rule

from ..orm.models import addon_of

_logger = logging.getLogger(__name__)

ROUTE_TYPES = ("http", "json")
AUTH_MODES = ("none", "public", "user")
ROUTING_KEYS = frozenset({"type", "auth", "methods", "routes", "csrf", "save_session", "cors", "groups",
                          "readonly", "website", "sitemap", "multilang", "max_content_length"})
DEFAULT_ROUTING = {"auth": "user", "methods": None, "routes": []}


class Controller:
    """Base of every controller; direct subclasses are filed under their addon."""

    children_classes: dict[str, list[type]] = defaultdict(list)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if Controller in cls.__bases__:
            Controller.children_classes[addon_of(cls.__module__) or ""].append(cls)


def route(route: str | Iterable[str] | None = None, **routing) -> Callable:
    """Declare a controller method as an endpoint; the method is returned unchanged.

    ``type`` is ``'http'`` (default) or ``'json'`` (JSON-RPC 2.0, params as
    keyword arguments); ``auth`` is ``'user'`` (default), ``'public'`` or
    ``'none'``; ``groups='base.group_system'`` (comma list, any of them)
    further restricts a route to members of a group; ``methods``, ``csrf``
    (http POST routes, default True), ``save_session`` (default True) and
    ``cors`` (an ``Access-Control-Allow-Origin`` value) are as in Odoo;
    ``max_content_length`` (bytes) lets the route accept bodies larger than
    the server's ``--limit-request-body``.
    Raises TypeError for an unknown keyword or value, at import time.
    """
    unknown = sorted(set(routing) - ROUTING_KEYS)
    if unknown:
        raise TypeError(f"@route got unknown argument(s) {', '.join(unknown)}; "
                        f"known: {', '.join(sorted(ROUTING_KEYS))}")
    if route:
        routing["routes"] = [route] if isinstance(route, str) else list(route)
    _check_value("type", routing.get("type", "http"), ROUTE_TYPES)
    _check_value("auth", routing.get("auth", "user"), AUTH_MODES)

    def decorator(endpoint: Callable) -> Callable:
        endpoint.original_routing = dict(routing)
        endpoint.original_endpoint = endpoint
        return endpoint
    return decorator


def _check_value(key: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise TypeError(f"@route({key}={value!r}) is not supported: use one of {', '.join(map(repr, allowed))}")


class Endpoint:
    """A bound controller method with its merged routing, called with the request's parameters."""

    def __init__(self, method: Callable, routing: dict):
        self.method = method
        self.routing = routing
        self.signature = inspect.signature(method)
        parameters = self.signature.parameters.values()
        self.takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters)
        self.names = frozenset(p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        self.required = tuple(p.name for p in parameters
                              if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))

    def __call__(self, **params):
        return self.method(**params)

    def __repr__(self) -> str:
        return f"<Endpoint {self.qualname} {self.routing.get('routes')}>"

    @property
    def qualname(self) -> str:
        func = getattr(self.method, "__func__", self.method)
        return f"{func.__module__}.{func.__qualname__}"

    @property
    def addon(self) -> str | None:
        return addon_of(getattr(self.method, "__func__", self.method).__module__)


def _leaf_classes(cls: type, installed: set[str]) -> list[type]:
    """The most derived subclasses of ``cls`` whose addon is installed (``cls`` itself if none)."""
    found = []
    for sub in cls.__subclasses__():
        if addon_of(sub.__module__) in installed:
            found.extend(_leaf_classes(sub, installed))
    if not found and addon_of(cls.__module__) in installed:
        found.append(cls)
    return list(dict.fromkeys(found))


def controllers(modules: list[str]) -> Iterator[Controller]:
    """One instance per top controller of ``modules``, combining its installed subclasses."""
    installed = set(modules)
    for module in modules:
        for top in Controller.children_classes.get(module, ()):
            leaves = _leaf_classes(top, installed)
            if leaves == [top]:
                yield top()
                continue
            name = f"{top.__name__} (extended by {', '.join(c.__module__ for c in leaves)})"
            yield type(name, tuple(reversed(leaves)), {})()


def merged_routing(ctrl: Controller, name: str) -> dict | None:
    """The routing of method ``name``, merged from ancestors first; None if it is not a route."""
    classes = [c for c in reversed(type(ctrl).__mro__) if name in vars(c)]
    if not any(hasattr(vars(c)[name], "original_routing") for c in classes):
        return None
    merged = dict(DEFAULT_ROUTING)
    for cls in classes:
        routing = getattr(vars(cls)[name], "original_routing", None)
        if routing is None:
            _logger.warning("%s.%s overrides a route without @route(); it keeps the parent's routing",
                            cls.__qualname__, name)
            continue
        if "type" in routing and "type" in merged and routing["type"] != merged["type"]:
            _logger.warning("%s.%s changes the route type from %r to %r", cls.__qualname__, name,
                            merged["type"], routing["type"])
        merged.update(routing)
    merged.setdefault("type", "http")
    return merged


def endpoints(modules: list[str], nodb_only: bool = False) -> Iterator[tuple[str, Endpoint]]:
    """``(url, endpoint)`` for every route of the installed ``modules``."""
    for ctrl in controllers(modules):
        for name, method in inspect.getmembers(ctrl, inspect.ismethod):
            routing = merged_routing(ctrl, name)
            if routing is None:
                continue
            if not routing["routes"]:
                _logger.warning("%s.%s is decorated with @route but has no URL, skipped", type(ctrl).__name__, name)
                continue
            if nodb_only and routing["auth"] != "none":
                continue
            endpoint = Endpoint(method, routing)
            for url in routing["routes"]:
                yield url, endpoint


def build_map(modules: list[str], nodb_only: bool = False) -> Map:
    """The werkzeug map of the routes of ``modules`` (rules' endpoints are ``Endpoint`` objects)."""
    rules = [Rule(url, endpoint=endpoint, methods=_methods(endpoint.routing)) for url, endpoint
             in endpoints(modules, nodb_only)]
    return Map(rules, strict_slashes=False)


def _methods(routing: dict) -> list[str] | None:
    methods = routing.get("methods")
    if not methods:
        return None
    methods = [m.upper() for m in methods]
    return [*methods, "OPTIONS"] if routing.get("cors") and "OPTIONS" not in methods else methods


class RoutingMaps:
    """Maps cached per set of installed addons (a registry reload with new addons gets a new map)."""

    NODB_MODULES = ("base", "web")

    def __init__(self):
        self._maps: dict[tuple, Map] = {}
        self._lock = threading.Lock()

    def for_modules(self, modules: Iterable[str], nodb_only: bool = False) -> Map:
        key = (tuple(modules), nodb_only)
        routing_map = self._maps.get(key)
        if routing_map is None:
            with self._lock:
                routing_map = self._maps.get(key) or build_map(list(key[0]), nodb_only)
                self._maps[key] = routing_map
        return routing_map

    def for_registry(self, registry) -> Map:
        return self.for_modules(registry.loaded_modules)

    def nodb(self) -> Map:
        """Routes available without a database: the ``auth='none'`` routes of the server-wide addons."""
        from ..modules.registry import import_addon

        modules = []
        for name in self.NODB_MODULES:
            try:
                import_addon(name)
                modules.append(name)
            except ImportError:
                _logger.warning("server-wide addon %r cannot be imported; its routes are not served", name)
        return self.for_modules(modules, nodb_only=True)
