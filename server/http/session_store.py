"""Sessions stored in the database they belong to, so any worker serves any request.

The cookie value is ``<token>.<db>``: the database part says where the
session lives (several databases can be served at once), the token is 48
random bytes.  Only ``sha256(token)`` is stored, in table ``http_session``
(owned by this module, created on first use, invisible to the ORM and RPC),
so reading the table does not give live session ids away.

A session expires 7 days after it was last saved; saving is refreshed at most
once an hour per session, on use.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time

from .wire import json_default

_logger = logging.getLogger(__name__)

SESSION_LIFETIME = 7 * 24 * 3600
TOUCH_INTERVAL = 3600
TABLE = "http_session"


def default_values() -> dict:
    return {"uid": None, "login": None, "session_token": None, "context": {}, "debug": ""}


class Session(dict):
    """Odoo's ``request.session``: a dict with attribute access to its keys.

    ``sid`` is None until the session is first saved; ``db`` is where it is
    saved.  Changing a key marks it dirty; ``rotate()`` asks for a new sid on
    save (done at login), ``logout()`` forgets the user.
    """

    def __init__(self, sid: str | None = None, db: str | None = None, values: dict | None = None,
                 expiration: float = 0.0, explicit: bool = False):
        object.__setattr__(self, "_meta", {"sid": sid, "db": db, "dirty": False, "rotate": False,
                                           "expiration": expiration, "explicit": explicit, "deleted": False})
        super().__init__(default_values())
        dict.update(self, values or {})

    # -- attribute access to keys, Odoo-style (``session.uid``) ------------------------------------
    def __getattr__(self, name: str):
        meta = object.__getattribute__(self, "_meta")
        if name in meta and name in ("sid", "db"):
            return meta[name]
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        if name in ("sid", "db"):
            self._meta[name] = value
            self._meta["dirty"] = True
        else:
            self[name] = value

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self._meta["dirty"] = True

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self._meta["dirty"] = True

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    # -- state ----------------------------------------------------------------------------------------
    @property
    def is_dirty(self) -> bool:
        return self._meta["dirty"]

    @property
    def is_explicit(self) -> bool:
        """Whether the sid came from a header or query string (never written back as a cookie)."""
        return self._meta["explicit"]

    @property
    def should_rotate(self) -> bool:
        return self._meta["rotate"]

    def rotate(self) -> None:
        """Give the session a new sid when it is next saved (login, privilege change)."""
        self._meta["rotate"] = True
        self._meta["dirty"] = True

    def needs_touch(self, now: float) -> bool:
        return bool(self.sid) and self._meta["expiration"] - now < SESSION_LIFETIME - TOUCH_INTERVAL

    def touch(self) -> None:
        self._meta["dirty"] = True

    def logout(self, keep_db: bool = False) -> None:
        """Forget the user (and the database unless ``keep_db``); the stored session is deleted on save."""
        self.clear()
        dict.update(self, default_values())
        self._meta.update(dirty=True, rotate=False, deleted=bool(self.sid))
        if not keep_db:
            self._meta["db"] = None

    @property
    def is_deleted(self) -> bool:
        return self._meta["deleted"]

    def authenticate(self, db: str, login: str, password: str) -> int:
        """Log in on ``db`` for the current request; see ``Request.authenticate``."""
        from .request import request

        return request.authenticate(db, login, password)


def split_sid(sid) -> tuple[str, str] | None:
    """``(token, db)`` of a cookie value, or None when it is not one of ours."""
    if not isinstance(sid, str) or len(sid) > 200:
        return None
    token, _, db = sid.partition(".")
    if len(token) != 64 or not db or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return token, db


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Load, save and delete sessions in ``http_session`` through the request's cursor."""

    def __init__(self):
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    def ensure_table(self, registry) -> None:
        """Create ``http_session`` in the registry's database once per process (own short transaction)."""
        if registry.uri in self._ready:
            return
        with self._lock:
            if registry.uri in self._ready:
                return
            for attempt in (1, 2):
                try:
                    self._create_table(registry)
                    break
                except Exception:  # another process created it between our check and our CREATE
                    if attempt == 2:
                        raise
            self._ready.add(registry.uri)

    @staticmethod
    def _create_table(registry) -> None:
        with registry.cursor() as cr:
            cr.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (sid_hash VARCHAR(64) PRIMARY KEY, "
                       "data TEXT NOT NULL, expiration DOUBLE PRECISION NOT NULL)")
            cr.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_expiration_index ON {TABLE} (expiration)")

    def new(self, db: str | None = None) -> Session:
        return Session(db=db)

    def get(self, cr, sid: str, explicit: bool = False) -> Session | None:
        """The live session with cookie value ``sid``, or None (unknown or expired)."""
        parts = split_sid(sid)
        if parts is None:
            return None
        row = cr.execute(f"SELECT data, expiration FROM {TABLE} WHERE sid_hash = %s",
                         (_token_hash(parts[0]),)).fetchone()
        if row is None or row[1] < time.time():
            return None
        try:
            values = json.loads(row[0])
        except ValueError:
            return None
        return Session(sid, parts[1], values, expiration=row[1], explicit=explicit)

    def save(self, cr, session: Session) -> None:
        """Write the session (rotating its sid if asked); a logged-out session is deleted."""
        if session.is_deleted:
            self.delete(cr, session.sid)
            session._meta.update(sid=None, deleted=False)
            if not session.get("uid"):
                session._meta["dirty"] = False
                return
        if session.should_rotate and session.sid:
            self.delete(cr, session.sid)
            session._meta["sid"] = None
        if not session.sid:
            session._meta["sid"] = f"{secrets.token_urlsafe(48)}.{session.db}"
            self.collect_garbage(cr)
        expiration = time.time() + SESSION_LIFETIME
        data = json.dumps(dict(session), default=json_default)
        token = split_sid(session.sid)[0]
        cr.execute(f"DELETE FROM {TABLE} WHERE sid_hash = %s", (_token_hash(token),))
        cr.execute(f"INSERT INTO {TABLE} (sid_hash, data, expiration) VALUES (%s, %s, %s)",
                   (_token_hash(token), data, expiration))
        session._meta.update(dirty=False, rotate=False, expiration=expiration)

    def delete(self, cr, sid: str | None) -> None:
        parts = split_sid(sid)
        if parts:
            cr.execute(f"DELETE FROM {TABLE} WHERE sid_hash = %s", (_token_hash(parts[0]),))

    def collect_garbage(self, cr) -> None:
        """Delete expired sessions (cheap: indexed), done whenever a session is created."""
        cr.execute(f"DELETE FROM {TABLE} WHERE expiration < %s", (time.time(),))
