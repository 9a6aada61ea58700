"""Which databases a request may use: the configured list, ``dbfilter``, and monodb.

A name a client sends (a session cookie, ``/web/session/authenticate``,
``execute_kw``'s first argument) is used only if it is in this list: names
never reach a file path or a connection string otherwise.
"""
from __future__ import annotations

import functools
import re
import threading
import time

from .. import db as db_module
from ..config import Config
from ..modules.registry import Registry
from ..service import login_failures
from .errors import UnknownDatabase

LISTING_TTL = 5.0


class DatabaseDirectory:
    """The databases this server serves, filtered per request host by ``dbfilter``."""

    def __init__(self, config: Config):
        self.config = config
        self._listing: list[str] = []
        self._listed_at = float("-inf")
        self._lock = threading.Lock()

    @functools.cached_property
    def _explicit(self) -> tuple[str, ...] | None:
        if self.config.get("db_uri"):
            return (self.config.database_name(),)
        names = self.config.get("db_name")
        if names:
            return tuple(n.strip() for n in str(names).split(",") if n.strip())
        return None

    def explicit_names(self) -> list[str] | None:
        """The names fixed by configuration (``--db-uri`` or ``-d a,b``), or None when discovered."""
        return None if self._explicit is None else list(self._explicit)

    def all_names(self, refresh: bool = False) -> list[str]:
        """Every database before filtering; discovered lists are cached a few seconds."""
        explicit = self.explicit_names()
        if explicit is not None:
            return explicit
        with self._lock:
            if refresh or time.monotonic() - self._listed_at > LISTING_TTL:
                self._listing = self._discover()
                self._listed_at = time.monotonic()
            return list(self._listing)

    def remember(self, name: str, exists: bool = True) -> None:
        """Add (or remove) a database this process just created (or dropped) without listing them all again."""
        with self._lock:
            self._listing = sorted((set(self._listing) | {name}) if exists else (set(self._listing) - {name}))

    def _discover(self) -> list[str]:
        if self.config.uses_postgresql():
            return db_module.list_postgres_databases(self.config.database_uri("postgres"))
        found = self.config.data_dir.glob("*.sqlite3") if self.config.data_dir.is_dir() else ()
        return sorted(p.stem for p in found if db_module.DB_NAME_RE.match(p.stem))

    def filtered(self, names: list[str], host: str = "") -> list[str]:
        """``names`` allowed by ``dbfilter`` for ``host`` (``%h`` the host, ``%d`` its first label)."""
        pattern = self.config.get("dbfilter") or ""
        if not pattern:
            return list(names)
        host = host.partition(":")[0]
        domain, _, rest = host.partition(".")
        if domain == "www" and rest:
            domain = rest.partition(".")[0]
        regex = pattern.replace("%h", re.escape(host)).replace("%d", re.escape(domain))
        return [name for name in names if re.match(regex, name)]

    def list(self, host: str = "") -> list[str]:
        """The databases visible from ``host``, sorted."""
        return sorted(self.filtered(self.all_names(), host))

    def visible(self, name, host: str = "") -> bool:
        """Whether ``name`` is a database a client at ``host`` may use."""
        if not isinstance(name, str) or not name or not self.filtered([name], host):
            return False
        if name in self.all_names():
            return True
        return self.explicit_names() is None and name in self.all_names(refresh=self._may_refresh())

    def _may_refresh(self) -> bool:
        # An unknown name refreshes the listing at most once a second, so guessing names costs little.
        return time.monotonic() - self._listed_at > 1.0

    def monodb(self, host: str = "") -> str | None:
        """The only visible database, if there is exactly one."""
        names = self.list(host)
        return names[0] if len(names) == 1 else None

    def registry(self, name, host: str = "") -> Registry:
        """The up-to-date registry of a visible database; UnknownDatabase otherwise."""
        if not self.visible(name, host):
            raise UnknownDatabase()
        registry = Registry.check_signaling(Registry.open(self.config, name))
        login_failures.ensure_table(registry)  # before any transaction: logins only read it then
        return registry
