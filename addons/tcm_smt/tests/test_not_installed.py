"""In a database without tcm_smt, its handlers never fire, even in the process serving one that has it."""
from odoo.addons.tcm_core.backends import get_pbe_info

from server.modules.registry import Registry


def create_smt_contract(registry) -> dict:
    with registry.cursor() as cr:
        env = registry.env(cr)
        product = env["tcm.product"].create({"name": "Titans SMT", "payment_backend": "smt"})
        contract = env["tcm.contract"].create({"name": "Twin", "product_id": product.id})
        result = {"representation": contract.get_representation(), "handled_by": contract.event_ids.handled_by,
                  "subscription_model": "tcm.smt.subscription" in env, "pbe": get_pbe_info("smt", env)}
        cr.rollback()
        return result


def test_handlers_fire_only_where_the_plugin_is_installed(db_backend, database_factory):
    with_smt = Registry.open(database_factory.create(db_backend, ("tcm_smt",)))
    without_smt = Registry.open(database_factory.create(db_backend, ("tcm_core",)))
    results = [create_smt_contract(r) for r in (without_smt, with_smt, without_smt)]
    bare = {"representation": {"active": True, "activated": False, "name": "Twin", "backend": "smt"},
            "handled_by": False, "subscription_model": False, "pbe": None}
    assert results[0] == results[2] == bare
    assert results[1]["representation"] == {"active": True, "activated": True, "name": "Twin",
                                            "backend": {"name": "smt", "contract": "Twin"}}
    assert results[1]["handled_by"] == "tcm_smt" and results[1]["subscription_model"]
