"""tcm_smt inside the contract's transaction: activation, its own subscription, the representation."""
import pytest
from odoo.addons.tcm_core.backends import get_pbe_info


@pytest.fixture
def make_contract(env):
    def make(name, backend="smt"):
        product = env["tcm.product"].create({"name": f"Titans {backend}", "payment_backend": backend})
        return env["tcm.contract"].create({"name": name, "product_id": product.id})
    return make


def test_creation_activates_and_queues_a_subscription(env, make_contract):
    contract = make_contract("S-1")
    subscription = contract.smt_subscription_ids
    assert contract.activated and contract.date_activated
    assert (subscription.wanted, subscription.state, subscription.remote_id) == ("active", "pending", False)
    assert len(env.cr.postcommit) == 1  # the SMT call waits for the commit
    assert contract.event_ids.handled_by == "tcm_smt"


def test_cancellation_deactivates_and_queues_the_remote_cancel(make_contract):
    contract = make_contract("S-2")
    contract.action_cancel()
    assert not contract.activated
    assert (contract.smt_subscription_ids.wanted, contract.smt_subscription_ids.state) == ("cancelled", "pending")
    assert contract.event_ids.mapped("handled_by") == ["tcm_smt", "tcm_smt"]


def test_smt_contracts_show_the_plugins_representation(env, make_contract):
    contract = make_contract("S-3")
    assert contract.get_representation()["backend"] == {"name": "smt", "contract": "S-3"}
    assert get_pbe_info("smt", env)(contract) == {"name": "smt", "contract": "S-3"}


def test_other_backends_are_left_alone(env, make_contract):
    contract = make_contract("N-1", backend="net")
    contract.action_cancel()
    assert not contract.activated and not contract.smt_subscription_ids
    assert contract.event_ids.mapped("handled_by") == [False, False]
    assert env.cr.postcommit == []


def test_retrying_a_subscription_in_sync_is_refused(make_contract):
    subscription = make_contract("S-4").smt_subscription_ids
    subscription.write({"state": "synced"})
    with pytest.raises(Exception, match="contract 'S-4' is already in sync with SMT: there is nothing to retry"):
        subscription.action_retry()
