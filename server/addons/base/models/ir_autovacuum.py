"""The daily clean-up (``base.autovacuum_job``): old wizard records and every ``@api.autovacuum`` method.

A transient model's records are deleted once older than its ``_transient_max_hours`` (1 hour by
default) and, with ``_transient_max_count``, beyond that many.  Each clean-up runs in a savepoint:
one failing does not stop the others, and it is logged.
"""
import datetime as dt
import logging

from odoo import api, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)


def transient_vacuum(model) -> int:
    """Delete the stale records of the transient ``model``; the number deleted."""
    max_hours = float(getattr(model, "_transient_max_hours", 1.0) or 0)
    max_count = int(getattr(model, "_transient_max_count", 0) or 0)
    stale = model.browse()
    if max_hours:
        limit = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=max_hours)
        stale |= model.search([("write_date", "<", limit)])
    if max_count:
        stale |= model.search([], order="id desc", offset=max_count)
    stale.unlink()
    return len(stale)


class IrAutovacuum(models.AbstractModel):
    _name = "ir.autovacuum"
    _description = "Automatic Vacuum"

    @api.model
    def _run_vacuum_cleaner(self) -> None:
        """Clean every transient model, then run every ``@api.autovacuum`` method of every model."""
        if not self.env.is_system():
            raise AccessError("Only system administrators can run the garbage collector")
        for name in sorted(self.env.registry.models):
            model = self.env[name].sudo()
            if model._transient and model._table_model is not None:
                self._safely(f"vacuum of {name}", lambda m=model: transient_vacuum(m))
            for attr in dir(type(model)):
                method = getattr(type(model), attr, None)
                if callable(method) and getattr(method, "_autovacuum", False):
                    self._safely(f"{name}.{attr}", getattr(model, attr))

    def _safely(self, label: str, function) -> None:
        try:
            with self.env.cr.savepoint():
                function()
        except Exception:
            _logger.exception("autovacuum: %s failed", label)
