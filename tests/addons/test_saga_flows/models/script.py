"""What the test sagas' steps do, set by the tests: fail N times, refuse, and a log of every call."""
from odoo import fields, models


class TestSagaScript(models.Model):
    _name = "test.saga.script"
    _description = "Test saga script"

    key = fields.Char(required=True, index=True)
    step = fields.Char(required=True)
    phase = fields.Char(default="forward")
    fail_times = fields.Integer(default=0, help="-1: always")
    refuse = fields.Boolean()
    successes = fields.Integer(default=0)
