import difflib

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exception import JobRefused

CHANNELS_CACHE = "queue_job.channels"


class QueueJobChannel(models.Model):
    """A channel: jobs are routed to it, workers serve it, its capacity caps it across all workers."""

    _name = "queue.job.channel"
    _description = "Job Channels"
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True)
    complete_name = fields.Char(readonly=True, index=True, help="root.parent.name, kept up to date on write")
    parent_id = fields.Many2one("queue.job.channel", string="Parent Channel", ondelete="restrict")
    capacity = fields.Integer(default=0, help="Jobs of this channel and its subchannels running at once, over "
                                              "every worker; 0: no limit but the workers' own")
    removal_interval = fields.Integer(default=30, required=True, help="Days a done or cancelled job is kept")
    job_function_ids = fields.One2many("queue.job.function", "channel_id", string="Job Functions")

    _sql_constraints = [("name_uniq", "unique(complete_name)", "Channel complete name must be unique")]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._update_complete_names()
        return records

    def write(self, vals):
        if {"name", "parent_id"} & set(vals) and any(c.name == "root" for c in self):
            raise UserError("Cannot change the root channel")
        result = super().write(vals)
        if {"name", "parent_id"} & set(vals):
            self._update_complete_names()
        if {"capacity", "name", "parent_id"} & set(vals):
            self.env.registry.clear_cache(self.env.cr)
        return result

    def unlink(self):
        if any(channel.name == "root" for channel in self):
            raise UserError("Cannot remove the root channel")
        self.env.registry.clear_cache(self.env.cr)
        return super().unlink()

    def _update_complete_names(self) -> None:
        for channel in self:
            if channel.name != "root" and not channel.parent_id:
                raise ValidationError(f"Channel {channel.name!r} needs a parent channel (root, at least).")
            if "." in channel.name:
                raise ValidationError(f"Channel name {channel.name!r} cannot contain '.': set parent_id instead.")
            full = f"{channel.parent_id.complete_name}.{channel.name}" if channel.parent_id else channel.name
            if channel.complete_name != full:
                super(QueueJobChannel, channel).write({"complete_name": full})
            children = self.search([("parent_id", "=", channel.id)])
            if children:
                children._update_complete_names()
        self.env.registry.clear_cache(self.env.cr)

    @api.model
    def channel_names(self) -> frozenset:
        """The complete names of every channel (cached per process, emptied when channels change)."""
        cache = self.env.registry.cache(CHANNELS_CACHE)
        if "names" not in cache:
            rows = self.env.cr.execute("SELECT complete_name FROM queue_job_channel").fetchall()
            cache["names"] = frozenset(row[0] for row in rows if row[0])
        return cache["names"]

    @api.model
    def check_channel(self, name: str) -> str:
        """Return ``name`` if it is a channel; raise ``JobRefused`` naming the existing ones otherwise."""
        names = self.channel_names()
        if name in names:
            return name
        close = difflib.get_close_matches(name, sorted(names), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else f" Existing: {', '.join(sorted(names))}."
        raise JobRefused(f"No job channel {name!r}: create a queue.job.channel record for it first.{hint}")
