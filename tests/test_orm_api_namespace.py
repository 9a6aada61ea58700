"""The ``odoo`` namespace an Odoo 17 addon imports: names, helpers and their Odoo semantics."""
import datetime as dt

import pytest

import server  # noqa: F401  (installs the odoo alias)


def test_everyday_imports_resolve():
    from odoo import SUPERUSER_ID, Command, _, _lt, api, fields, models, tools  # noqa: F401
    from odoo.exceptions import (  # noqa: F401
        AccessDenied,
        AccessError,
        CacheMiss,
        MissingError,
        RedirectWarning,
        UserError,
        ValidationError,
    )
    from odoo.http import Controller, request, route  # noqa: F401
    from odoo.modules.module import get_module_resource, get_resource_path  # noqa: F401
    from odoo.osv import expression  # noqa: F401
    from odoo.tools import config, date_utils, float_compare, html_escape, ormcache, sql  # noqa: F401
    from odoo.tools.float_utils import float_is_zero, float_round  # noqa: F401
    from odoo.tools.misc import format_date, formatLang  # noqa: F401
    from odoo.tools.safe_eval import safe_eval  # noqa: F401
    from odoo.tools.translate import _ as translate  # noqa: F401

    assert fields.Command is Command
    assert SUPERUSER_ID == 1
    assert issubclass(CacheMiss, KeyError)


def test_translation_calls_interpolate_like_odoo():
    from odoo import _, _lt

    assert _("Book %s lent to %s", "Dune", "Ann") == "Book Dune lent to Ann"
    assert _("%(count)s books", count=3) == "3 books"
    assert _("100%") == "100%"
    with pytest.raises(TypeError):
        _("%s %(x)s", 1, x=2)
    label = _lt("Title")
    assert label == "Title" and isinstance(label, str)


def test_command_builders_are_the_numeric_triples():
    from odoo import Command

    assert Command.create({"name": "x"}) == (0, 0, {"name": "x"})
    assert Command.update(4, {"a": 1}) == (1, 4, {"a": 1})
    assert Command.delete(3) == (2, 3, 0) and Command.unlink(3) == (3, 3, 0) and Command.link(3) == (4, 3, 0)
    assert Command.clear() == (5, 0, 0) and Command.set([1, 2]) == (6, 0, [1, 2])


def test_float_helpers_round_as_odoo():
    from odoo.tools import float_compare, float_is_zero, float_repr, float_round

    assert float_round(2.675, precision_digits=2) == 2.68          # binary 2.67499.. still rounds half up
    assert float_round(-2.675, precision_digits=2) == -2.68
    assert float_round(1.3, precision_rounding=0.5) == 1.5
    assert float_round(2.5, precision_digits=0, rounding_method="HALF-EVEN") == 2.0
    assert float_round(1.001, precision_digits=2, rounding_method="UP") == 1.01
    assert float_round(1.009, precision_digits=2, rounding_method="DOWN") == 1.0
    assert float_compare(0.1 + 0.2, 0.3, precision_digits=2) == 0
    assert float_compare(1.005, 1.0, precision_digits=2) == 1
    assert float_is_zero(0.004, precision_digits=2) and not float_is_zero(0.005, precision_digits=2)
    assert float_repr(1.5, 3) == "1.500"
    with pytest.raises(ValueError, match="rounding method"):
        float_round(1.0, 2, rounding_method="SIDEWAYS")


def test_date_utils_periods():
    from odoo.tools import date_utils

    day = dt.date(2024, 5, 17)
    assert date_utils.start_of(day, "quarter") == dt.date(2024, 4, 1)
    assert date_utils.end_of(day, "month") == dt.date(2024, 5, 31)
    assert date_utils.start_of(day, "week") == dt.date(2024, 5, 13)
    assert date_utils.end_of(dt.datetime(2024, 2, 3, 4), "month") == dt.datetime(2024, 2, 29, 23, 59, 59, 999999)
    assert date_utils.add(day, months=1) == dt.date(2024, 6, 17)
    assert date_utils.subtract(day, years=1) == dt.date(2023, 5, 17)
    assert date_utils.get_fiscal_year(day, day_of_month=30, month=6) == (dt.date(2023, 7, 1), dt.date(2024, 6, 30))
    assert list(date_utils.date_range(dt.date(2024, 1, 31), dt.date(2024, 3, 31))) == \
        [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 29)]
    with pytest.raises(ValueError, match="granularity"):
        date_utils.start_of(day, "fortnight")


def test_expression_helpers():
    from odoo.osv import expression

    assert expression.AND([[("a", "=", 1)], [("b", "=", 2), ("c", "=", 3)]]) == \
        ["&", ("a", "=", 1), "&", ("b", "=", 2), ("c", "=", 3)]
    assert expression.OR([[("a", "=", 1)], [("b", "=", 2)]]) == ["|", ("a", "=", 1), ("b", "=", 2)]
    assert expression.AND([expression.TRUE_DOMAIN, [("a", "=", 1)]]) == [("a", "=", 1)]
    assert expression.OR([expression.TRUE_DOMAIN, [("a", "=", 1)]]) == expression.TRUE_DOMAIN
    assert expression.normalize_domain([]) == expression.TRUE_DOMAIN
    assert expression.distribute_not(["!", "&", ("a", "=", 1), ("b", "in", [1])]) == \
        ["|", ("a", "!=", 1), ("b", "not in", [1])]
    assert expression.is_leaf(("a", "ilike", "x")) and not expression.is_leaf("&")
    with pytest.raises(ValueError):
        expression.normalize_domain(["&", ("a", "=", 1)])


def test_html_escape_and_misc():
    from odoo.tools import Markup, groupby, html_escape, mute_logger, str2bool

    assert html_escape("<b>&</b>") == Markup("&lt;b&gt;&amp;&lt;/b&gt;")
    assert groupby([1, 2, 3, 4], key=lambda n: n % 2) == [(1, [1, 3]), (0, [2, 4])]
    assert str2bool("Yes") is True and str2bool("0") is False

    @mute_logger("odoo.example")
    def muted():
        import logging

        return logging.getLogger("odoo.example").disabled

    assert muted() is True


def test_safe_eval_reads_record_fields_but_calls_no_methods(env):
    from odoo.tools.safe_eval import safe_eval

    user = env.user
    assert safe_eval("[('company_id', '=', user.company_id.id)]", {"user": user}) == \
        [("company_id", "=", user.company_id.id)]
    with pytest.raises(ValueError, match="only fields"):
        safe_eval("user.unlink", {"user": user})
    with pytest.raises(ValueError, match="not supported"):
        safe_eval("x = 1", {}, mode="exec")


def test_format_helpers_use_english_defaults(env):
    from odoo.tools import format_date, formatLang

    assert format_date(env, dt.date(2024, 5, 17)) == "05/17/2024"
    assert format_date(env, "2024-05-17") == "05/17/2024"
    assert format_date(env, False) == ""
    assert formatLang(env, 1234567.891) == "1,234,567.89"
    assert formatLang(env, 3.14159, digits=3) == "3.142"


def test_sql_object_runs_on_both_backends(env):
    from odoo.tools import SQL
    from odoo.tools.sql import column_exists, table_exists

    query = SQL("SELECT %s FROM %s WHERE %s = %s", SQL.identifier("login"), SQL.identifier("res_users"),
                SQL.identifier("id"), 2)
    env.cr.execute(query)
    assert env.cr.execute(query).fetchone()[0] == env["res.users"].browse(2).login
    assert table_exists(env.cr, "res_users") and not table_exists(env.cr, "no_such_table")
    assert column_exists(env.cr, "res_users", "login") and not column_exists(env.cr, "res_users", "nope")
    assert SQL(", ").join([SQL.identifier("a"), 3]).code == '"a", %s'


def test_ormcache_memoises_until_caches_are_cleared(env):
    from odoo import tools

    calls = []

    class Probe:
        _name = "probe"
        pool = env.registry

        @tools.ormcache("key")
        def lookup(self, key):
            calls.append(key)
            return key * 2

    probe = Probe()
    assert probe.lookup(3) == 6 and probe.lookup(3) == 6 and probe.lookup(4) == 8
    assert calls == [3, 4]
    env.registry.clear_cache(env.cr)
    assert probe.lookup(3) == 6 and calls == [3, 4, 3]


def test_tools_config_reads_the_running_configuration(env):
    from odoo.tools import config

    assert config["data_dir"] == str(env.registry.config.data_dir)
    assert config.get("no_such_option", "fallback") == "fallback"
