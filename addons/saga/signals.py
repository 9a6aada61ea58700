"""The saga engine's signals (sender: the ``saga.instance`` record), sent inside the transition's
transaction: a handler's writes commit or roll back with it."""
from odoo.signals import signal

saga_started = signal("saga-started")
saga_step_succeeded = signal("saga-step-succeeded")
saga_step_failed = signal("saga-step-failed")
saga_incident = signal("saga-incident")
saga_compensated = signal("saga-compensated")
saga_completed = signal("saga-completed")
