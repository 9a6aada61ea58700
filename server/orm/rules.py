"""Record rules (``ir.rule``) applied to searches, reads, writes, creations and deletions.

A rule gives a domain that the records of its model must match for the
operations it checks (``perm_read``, ``perm_write``, ``perm_create``,
``perm_unlink``).  As in Odoo, for one user, model and operation:

* global rules (no groups) all apply: their domains are intersected;
* group rules apply when the user is in one of their groups: their domains
  are united, and that union is intersected with the global rules.

Where they apply:

* every search (``_search``, hence ``search``, ``search_count``,
  ``search_read``, ``read_group``) gets the read domain added, and so do the
  comodel subqueries of dotted paths (``('book_id.name', '=', x)``); the rule
  domain itself is compiled as superuser (``RuleDomain``), as in Odoo;
* fetching values (``read``, attribute access) refuses records the read rules
  exclude with an ``AccessError`` (records merely prefetched are skipped);
* x2many values leave out the lines the comodel's read rules exclude (``readable_ids``);
* ``write``, ``unlink`` and ``create`` call ``check_access_rule``.

Superuser environments (``sudo()``) bypass all of it.  Rules are read once per
process (``registry.cache('ir.rule')``) and each user's evaluated domains are
kept there too; changing a rule, a group or a membership empties it
(``registry.clear_cache``).
"""
from __future__ import annotations

import contextvars
import time
from collections import defaultdict
from typing import NamedTuple

from ..exceptions import AccessError, ValidationError
from ..tools.safe_eval import safe_eval

RULES_CACHE = "ir.rule"
MODES = ("read", "write", "create", "unlink")
VERBS = {"read": "read", "write": "modify", "create": "create", "unlink": "delete"}
MAX_RECORDS_SHOWN = 6
# Models whose comodel subqueries are being built right now: a rule whose domain leads back to one of
# them is not applied again inside (it would recurse forever).
_compiling: contextvars.ContextVar[frozenset] = contextvars.ContextVar("rules_compiling", default=frozenset())


class RuleDomain(NamedTuple):
    """A domain term standing for a record-rule domain: compiled as superuser, as Odoo compiles rules, so
    that the rule's own paths (``('book_id.company_id', ...)``) see every record they lead to."""

    domain: list


class Rule(NamedTuple):
    id: int
    name: str
    domain_force: str
    groups: frozenset


def rules_apply(model) -> bool:
    """Whether record rules restrict ``model``'s environment (not superuser, rules installed)."""
    return not model.env.su and "ir.rule" in model.env.registry.models


def forget_rules(env) -> None:
    """Empty the process caches after rules changed (here now, in every process after commit)."""
    env.registry.clear_cache(env.cr)


def _all_rules(env) -> dict:
    """``{(model, mode): (Rule, ...)}`` of the active rules, read once per process."""
    cache = env.registry.cache(RULES_CACHE)
    rules = cache.get("rules")
    if rules is None:
        groups = defaultdict(set)
        for rule_id, group_id in env.cr.execute("SELECT rule_group_id, group_id FROM rule_group_rel").fetchall():
            groups[rule_id].add(group_id)
        rows = env.cr.execute(
            "SELECT r.id, r.name, m.model, r.domain_force, r.perm_read, r.perm_write, r.perm_create, r.perm_unlink "
            "FROM ir_rule r JOIN ir_model m ON m.id = r.model_id WHERE r.active = %s ORDER BY r.id", (True,),
        ).fetchall()
        found = defaultdict(list)
        for rule_id, name, model, domain_force, *perms in rows:
            rule = Rule(rule_id, name or f"ir.rule({rule_id})", domain_force or "", frozenset(groups[rule_id]))
            for mode, granted in zip(MODES, perms, strict=True):
                if granted:
                    found[(model, mode)].append(rule)
        rules = cache["rules"] = {key: tuple(value) for key, value in found.items()}
    return rules


def eval_context(env) -> dict:
    """The names a rule's domain may use: ``user``, ``time``, ``company_id``, ``company_ids``."""
    return {"user": env.user.with_context({}), "time": time, "company_id": env.company.id,
            "company_ids": env.companies.ids}


def _evaluate(rule: Rule, context: dict) -> list:
    from ..osv.expression import normalize_domain

    if not rule.domain_force.strip():
        return []
    try:
        domain = safe_eval(rule.domain_force, context)
        return normalize_domain(domain) if domain else []
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(f"Record rule {rule.name!r} (id={rule.id}) has an invalid domain: {exc}") from None


def applicable_rules(model, mode: str) -> tuple[list[tuple[Rule, list]], list[tuple[Rule, list]]]:
    """``(global rules, group rules)`` that apply to the current user, each with its evaluated domain."""
    env = model.env
    rules = _all_rules(env).get((model._name, mode), ())
    if not rules:
        return [], []
    user_groups = env.registry.access.user_groups(env)
    context = eval_context(env)
    global_rules, group_rules = [], []
    for rule in rules:
        if not rule.groups:
            global_rules.append((rule, _evaluate(rule, context)))
        elif rule.groups & user_groups:
            group_rules.append((rule, _evaluate(rule, context)))
    return global_rules, group_rules


def rule_domain(model, mode: str = "read") -> list:
    """The domain the current user's rules impose on ``mode`` of ``model`` (``[]``: no restriction)."""
    from ..osv.expression import AND, OR, TRUE_DOMAIN

    env = model.env
    key = (model._name, mode, env.uid, tuple(env.context.get("allowed_company_ids") or ()))
    cache = env.registry.cache(RULES_CACHE)
    if key not in cache:
        global_rules, group_rules = applicable_rules(model, mode)
        domains = [domain or TRUE_DOMAIN for _rule, domain in global_rules]
        if group_rules:
            domains.append(OR([domain or TRUE_DOMAIN for _rule, domain in group_rules]))
        combined = AND(domains) if domains else []
        cache[key] = [] if combined == TRUE_DOMAIN else combined
    return cache[key]


def restricted(model, domain) -> list:
    """``domain`` and the read rules of ``model`` for the current user (``domain`` itself when none apply)."""
    if not rules_apply(model) or model._name in _compiling.get():
        return domain
    extra = rule_domain(model, "read")
    return [RuleDomain(extra), *domain] if extra else domain


def restricted_query(comodel, domain):
    """The unordered subquery of the ids ``domain`` matches on ``comodel``, read rules included."""
    domain = restricted(comodel, domain)
    token = _compiling.set(_compiling.get() | {comodel._name})
    try:
        return comodel._search_query(domain, order=False)
    finally:
        _compiling.reset(token)


def allowed_ids(records, mode: str, ids) -> set[int] | None:
    """The ids among ``ids`` that ``mode``'s rules let the current user touch (None: all of them)."""
    if not rules_apply(records):
        return None
    domain = rule_domain(records, mode)
    if not domain or not ids:
        return None
    query = records.sudo()._search_query([("id", "in", sorted(set(ids))), *domain], order=False)
    return {row[0] for row in query.tuples()}


RULE_MEMO = ("__rules_readable__",)  # the transaction cache's key: {(model, uid, companies): {id: readable}}


def readable_ids(comodel, ids: tuple, batch: tuple = ()) -> tuple:
    """``ids`` without the records of ``comodel`` the current user's read rules exclude: x2many values
    are filtered so, as in Odoo.  ``batch``: ids to check in the same query (the prefetch set's targets).

    What was checked is remembered until the next write in the transaction (``forget_readable``).
    """
    if not ids or not rules_apply(comodel) or comodel._name in _compiling.get() or not rule_domain(comodel, "read"):
        return ids
    env = comodel.env
    key = (comodel._name, env.uid, tuple(env.context.get("allowed_company_ids") or ()))
    memo = env.cr.cache.setdefault(RULE_MEMO, {}).setdefault(key, {})
    unknown = [i for i in dict.fromkeys(ids + batch) if i not in memo and i]
    if unknown:
        allowed = allowed_ids(comodel, "read", unknown) or ()
        memo.update((i, i in allowed) for i in unknown)
    return tuple(i for i in ids if memo.get(i, True))


def forget_readable(cr) -> None:
    """Data changed: what the rules let users read must be checked again."""
    cr.cache.pop(RULE_MEMO, None)


def check_fetch(records, ids: list) -> list:
    """``ids`` without those the read rules exclude; AccessError if ``records`` asked for such a one.

    Called before columns are fetched: prefetched neighbours that are excluded are
    simply not loaded, as in Odoo.
    """
    allowed = allowed_ids(records, "read", ids)
    if allowed is None:
        return ids
    refused = [i for i in dict.fromkeys(records._ids) if i in set(ids) and i not in allowed]
    if refused:
        existing = records.sudo().browse(refused).exists()
        if existing:
            raise access_error(records.browse(existing._ids), "read")
    return [i for i in ids if i in allowed]


def check_records(records, mode: str) -> None:
    """Raise AccessError if ``mode``'s rules exclude any of ``records`` that exists."""
    allowed = allowed_ids(records, mode, records._ids)
    if allowed is None:
        return
    refused = [i for i in dict.fromkeys(records._ids) if i not in allowed]
    if refused:
        existing = records.sudo().browse(refused).exists()
        if existing:
            raise access_error(records.browse(existing._ids), mode)


def failing_rules(records, mode: str) -> list[str]:
    """Names of the rules the records fail: each failing global rule, and the group rules as a whole."""
    global_rules, group_rules = applicable_rules(records, mode)
    ids = sorted(set(records._ids))
    model = records.sudo()

    def all_match(domain) -> bool:
        return len(model._search_query([("id", "in", ids), *domain], order=False).tuples()) >= len(ids)

    names = [rule.name for rule, domain in global_rules if domain and not all_match(domain)]
    if group_rules:
        from ..osv.expression import OR, TRUE_DOMAIN

        if not all_match(OR([domain or TRUE_DOMAIN for _rule, domain in group_rules])):
            names += [rule.name for rule, _domain in group_rules]
    return names


def access_error(records, mode: str) -> AccessError:
    """The AccessError naming the model, the operation, the records and the rules that refused them."""
    shown = records.sudo()[:MAX_RECORDS_SHOWN]
    labels = ", ".join(f"{rec.display_name} (id={rec.id})" for rec in shown)
    if len(records) > MAX_RECORDS_SHOWN:
        labels += ", ..."
    rules = failing_rules(records, mode)
    # Computing the labels loaded the refused records' values as superuser: forget them, as Odoo does.
    records.invalidate_recordset()
    user = records.env.user
    description = records._description or records._name
    return AccessError(
        f"You are not allowed to {VERBS[mode]} '{description}' ({records._name}) records: {labels}. "
        f"Refused by the record rules: {', '.join(rules) or '(none)'}. User: {user.name} (id={user.id}).",
        model=records._name, operation=mode, rules=rules, records=list(records._ids),
    )


class RecordRules:
    """The record-rule methods every model has (mixed into ``BaseModel``)."""

    def check_access_rule(self, operation: str) -> None:
        """Raise AccessError unless the current user's rules allow ``operation`` on all these records."""
        if operation not in MODES:
            raise ValidationError(f"Invalid access operation {operation!r}: use one of {', '.join(MODES)}")
        if self._ids:
            check_records(self, operation)

    def _filter_access_rules(self, operation: str):
        """The subset of these records the current user's rules allow ``operation`` on."""
        allowed = allowed_ids(self, operation, self._ids)
        return self if allowed is None else self.browse(tuple(i for i in self._ids if i in allowed))

    def _filtered_access(self, operation: str):
        return self._filter_access_rules(operation)

    def has_access(self, operation: str) -> bool:
        """Whether access rights and rules allow ``operation`` on all these records (no exception)."""
        if not self.check_access_rights(operation, raise_exception=False):
            return False
        try:
            self.check_access_rule(operation)
        except AccessError:
            return False
        return True
