"""The exception tree every layer raises and the HTTP layer translates.

Names and class hierarchy mirror ``odoo.exceptions`` so that clients which
classify errors by the last segment of ``data.name`` keep working.  Every
exception carries its context as attributes; none of them ever carries a
traceback to a client unless the server runs in dev mode.
"""
from __future__ import annotations


class UserError(Exception):
    """An error the user can act on; its message is shown as is."""

    def __init__(self, message: str, *args, **context):
        super().__init__(message, *args)
        self.context = context

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message


class AccessDenied(UserError):
    """Bad credentials: login, password, API key or master password."""

    def __init__(self, message: str = "Access Denied", *args, **context):
        super().__init__(message, *args, **context)


class AccessError(UserError):
    """The user is known but may not perform this operation."""


class MissingError(UserError):
    """A record that was asked for does not exist (any more)."""


class ValidationError(UserError):
    """Values break a constraint: required field, domain syntax, unique key."""


class DomainFormError(ValidationError, AssertionError):
    """A domain that is not a list or tuple of terms (``search(False)``, ``search("[]")``).

    Odoo 17 fails an assertion there; clients see its ``builtins.AssertionError`` and message.
    """

    MESSAGE = "Domains to normalize must have a 'domain' form: a list or tuple of domain components"

    def __init__(self, message: str = MESSAGE, *args, **context):
        super().__init__(message, *args, **context)


class RedirectWarning(Exception):
    """A warning that offers the user an action: ``RedirectWarning(message, action_id, button_text, context)``."""

    def __init__(self, message: str, action=None, button_text: str = "", additional_context=None):
        super().__init__(message, action, button_text, additional_context)
        self.context = additional_context or {}

    def __str__(self) -> str:
        return str(self.args[0])


class CacheMiss(KeyError):
    """A field value is not in the transaction's cache (Odoo raises it from ``env.cache``)."""

    def __init__(self, record, field):
        super().__init__(f"{record!r}.{getattr(field, 'name', field)}")
        self.record = record
        self.field = field


class ConcurrencyError(Exception):
    """Another transaction changed the same rows first; the operation may be retried."""


class LockError(UserError):
    """A row lock could not be taken without waiting (``SELECT ... FOR UPDATE NOWAIT`` refused)."""


class ModuleError(UserError):
    """An addon cannot be installed, upgraded or removed as asked.

    Raised before anything is written: a missing dependency, a cycle, an
    invalid manifest or an unmet external dependency.  ``chain`` names the
    dependency path that led to the problem.
    """

    def __init__(self, message: str, chain: tuple[str, ...] = ()):
        super().__init__(message, chain=list(chain))
        self.chain = tuple(chain)
