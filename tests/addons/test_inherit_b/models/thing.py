from odoo import fields, models


class Thing(models.Model):
    _inherit = "test.thing"

    colour = fields.Char(default="blue")
    owner_id = fields.Many2one("res.partner", ondelete="set null")

    def describe(self):
        return super().describe() + f" in {self.colour}"


from odoo import signals  # noqa: E402

EVENTS: list[str] = []


@signals.receiver(signals.signal("test_thing_event"))
def remember_thing(sender, **kwargs):
    """Runs only in databases where test_inherit_b is installed."""
    EVENTS.append(sender.env.registry.db_name)
