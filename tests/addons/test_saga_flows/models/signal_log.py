"""Every saga signal as it is received: what the signals test reads (written in the transition's transaction)."""
from odoo import fields, models, signals
from odoo.addons.saga import signals as saga_signals


class TestSagaSignal(models.Model):
    _name = "test.saga.signal"
    _description = "Test saga signal log"
    _order = "id"

    key = fields.Char(index=True)
    name = fields.Char()
    detail = fields.Char()


def _log(name: str):
    def receive(instance, **kwargs):
        detail = " ".join(f"{k}={kwargs[k]}" for k in ("step", "phase", "kind") if k in kwargs)
        instance.env["test.saga.signal"].sudo().create({"key": instance.business_key, "name": name, "detail": detail})
        if instance.business_key.startswith("broken-receiver"):
            raise RuntimeError(f"this receiver of {name} is broken")
    return receive


for _signal in (saga_signals.saga_started, saga_signals.saga_step_succeeded, saga_signals.saga_step_failed,
                saga_signals.saga_incident, saga_signals.saga_compensated, saga_signals.saga_completed):
    signals.receiver(_signal)(_log(_signal.name))
