"""Framework signals fire on install/uninstall; addon handlers fire only where their addon is installed."""
import pytest

from server import signals
from server.modules.loading import uninstall_modules
from server.modules.registry import Registry


def test_handler_of_uninstalled_addon_does_not_fire(db_backend, database_factory):
    with_b = Registry.open(database_factory.create(db_backend, ("test_inherit_b",)))
    without_b = Registry.open(database_factory.create(db_backend, ("test_inherit_a",)))
    from odoo.addons.test_inherit_b.models.thing import EVENTS

    EVENTS.clear()
    for registry in (with_b, without_b, with_b):
        with registry.cursor() as cr:
            thing = registry.env(cr)["test.thing"].create({"name": "t"})
            signals.signal("test_thing_event").send(thing)
    assert EVENTS == [with_b.db_name, with_b.db_name]


@pytest.mark.addons("test_inherit_b")
def test_uninstall_sends_modules_uninstalled(fresh_registry):
    seen = []

    def on_uninstalled(sender, **kwargs):
        seen.append((sender.db_name, kwargs["modules"]))

    signals.modules_uninstalled.connect(on_uninstalled)
    try:
        uninstall_modules(fresh_registry, ["test_inherit_b"])
    finally:
        signals.modules_uninstalled.disconnect(on_uninstalled)
    assert seen == [(fresh_registry.db_name, ["test_auto", "test_inherit_b"])]
