from odoo import fields, models


class ResGroups(models.Model):
    _name = "res.groups"
    _description = "Access Groups"
    _order = "name"

    name = fields.Char(required=True)
    comment = fields.Text()
    users = fields.Many2many("res.users", "res_groups_users_rel", "gid", "uid", "Users")
    implied_ids = fields.Many2many("res.groups", "res_groups_implied_rel", "gid", "hid", "Inherits",
                                   help="Users of this group automatically belong to these groups too.")

    # Membership and implications feed the process caches of access checks (registry.clear_cache).
    def create(self, vals_list):
        self.env.registry.clear_cache(self.env.cr)
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        self.env.cr.cache.clear()
        self.env.registry.clear_cache(self.env.cr)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache(self.env.cr)
        return result
