"""A handler that raises aborts the contract operation: contract and plugin tables stay as they were."""
import pytest
from odoo.addons.tcm_core.backends import PluginError, backend_handler, on_contract_cancel, on_contract_create


# Runs next to tcm_smt's own handlers (whichever comes first), for contracts named "Explode..." only.
@backend_handler(on_contract_create, "smt")
@backend_handler(on_contract_cancel, "smt")
def explode_after_writing(contract, backend):
    if contract.name.startswith("Explode"):
        contract.env["tcm.smt.subscription"].sudo().request_status(contract, "active")
        contract.activated = not contract.activated
        raise RuntimeError("SMT quota exceeded")


def snapshot(env) -> dict:
    every = {"active_test": False}
    return {
        "contracts": env["tcm.contract"].with_context(**every).search_read([], ["name", "state", "activated"]),
        "subscriptions": env["tcm.smt.subscription"].search_read([], ["contract_id", "wanted", "state"]),
        "events": env["tcm.contract.event"].search_count([]),
        "postcommit": len(env.cr.postcommit),
    }


@pytest.fixture
def smt_product(env):
    return env["tcm.product"].create({"name": "Titans SMT", "payment_backend": "smt"})


def test_a_failed_creation_leaves_no_trace(env, smt_product):
    env["tcm.contract"].create({"name": "Fine", "product_id": smt_product.id})
    before = snapshot(env)
    with pytest.raises(PluginError, match="Contract 'Explode' was not created: plugin 'tcm_smt' failed in its "
                                          "handler explode_after_writing\\(\\) for on_contract_create: SMT quota"):
        env["tcm.contract"].create({"name": "Explode", "product_id": smt_product.id})
    assert snapshot(env) == before


def test_a_failed_cancellation_leaves_no_trace(env, smt_product):
    contract = env["tcm.contract"].create({"name": "Calm", "product_id": smt_product.id})
    contract.write({"name": "Explode on cancel"})
    before = snapshot(env)
    with pytest.raises(PluginError, match="was not cancelled: plugin 'tcm_smt'"):
        contract.action_cancel()
    assert snapshot(env) == before
    assert (contract.state, contract.activated, contract.smt_subscription_ids.wanted) == ("open", True, "active")
