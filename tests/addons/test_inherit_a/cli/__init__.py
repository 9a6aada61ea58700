"""A command contributed by an addon: ``odoo-bin.py thing-count -d DB``."""
from odoo import SUPERUSER_ID
from odoo.cli.command import command, load_config, parser_for, require_database
from odoo.modules.registry import Registry


@command("thing-count", help="print how many test things the database holds")
def thing_count(argv):
    config = load_config(parser_for("thing-count").parse_args(argv))
    require_database(config)
    registry = Registry.open(config)
    with registry.cursor() as cr:
        print(registry.env(cr, SUPERUSER_ID)["test.thing"].search_count([]))
    return 0
