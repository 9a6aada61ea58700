"""Record rules: which records of a model the users of some groups (or everyone) may read, write, create
or delete.  The engine that applies them is ``server/orm/rules.py``; this is the data."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.orm.rules import eval_context, forget_rules


class IrRule(models.Model):
    _name = "ir.rule"
    _description = "Record Rule"
    _order = "model_id desc, id"
    _sql_constraints = [
        ("no_access_rights", "CHECK (perm_read = TRUE OR perm_write = TRUE OR perm_create = TRUE "
         "OR perm_unlink = TRUE)", "Rule must have at least one checked access right!"),
    ]

    name = fields.Char()
    active = fields.Boolean(default=True, help="An archived rule restricts nothing.")
    model_id = fields.Many2one("ir.model", "Model", index=True, required=True, ondelete="cascade")
    groups = fields.Many2many("res.groups", "rule_group_rel", "rule_group_id", "group_id", "Groups")
    domain_force = fields.Text("Domain", help="Evaluated with user, time, company_id and company_ids.")
    perm_read = fields.Boolean("Read", default=True)
    perm_write = fields.Boolean("Write", default=True)
    perm_create = fields.Boolean("Create", default=True)
    perm_unlink = fields.Boolean("Delete", default=True)

    def _compute_global(self):
        for rule in self:
            rule["global"] = not rule.groups

    @api.constrains("model_id")
    def _check_model_name(self):
        if any(rule.model_id.model == self._name for rule in self):
            raise ValidationError(_("Rules can not be applied on the Record Rules model."))

    @api.constrains("active", "domain_force", "model_id")
    def _check_domain(self):
        """Refuse a domain that does not evaluate, or names fields or operators the model does not have."""
        context = eval_context(self.env)
        for rule in self:
            if not (rule.active and rule.domain_force):
                continue
            model = self.env[rule.model_id.model].sudo()
            try:
                domain = self.env["ir.rule"]._evaluate(rule.domain_force, context)
                model._search_query(domain, order=False).sql()
            except (ValueError, ValidationError, TypeError, SyntaxError) as exc:
                raise ValidationError(_("Invalid domain of rule %s: %s", rule.name or rule.id, exc)) from None

    @api.model
    def _evaluate(self, domain_force: str, context: dict) -> list:
        from odoo.tools.safe_eval import safe_eval

        domain = safe_eval(domain_force, context)
        if not isinstance(domain, (list, tuple)):
            raise ValueError(f"a rule's domain must be a list, got {type(domain).__name__}")
        return list(domain)

    @api.model
    def _eval_context(self) -> dict:
        return eval_context(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        forget_rules(self.env)
        return records

    def write(self, vals):
        result = super().write(vals)
        forget_rules(self.env)
        return result

    def unlink(self):
        result = super().unlink()
        forget_rules(self.env)
        return result


# 'global' is a Python keyword: the field is set on the class after its definition, as Odoo does.
setattr(IrRule, "global", fields.Boolean(compute="_compute_global",
                                         help="A rule without groups is global: it applies to everyone."))
getattr(IrRule, "global").__set_name__(IrRule, "global")
