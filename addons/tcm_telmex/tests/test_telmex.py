"""tcm_telmex only logs; next to tcm_smt, each plugin acts on its own backend only."""
import logging

import pytest

pytestmark = pytest.mark.addons("tcm_smt")


@pytest.fixture
def make_contract(env):
    def make(name, backend):
        product = env["tcm.product"].create({"name": f"Titans {backend}", "payment_backend": backend})
        return env["tcm.contract"].create({"name": name, "product_id": product.id})
    return make


def test_telmex_logs_creation_and_cancellation_and_changes_nothing(make_contract, caplog):
    caplog.set_level(logging.INFO, logger="odoo.addons.tcm_telmex")
    contract = make_contract("Contract_2", "telmex")
    contract.action_cancel()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("odoo.addons.tcm_telmex")] == [
        "TELMEX handles Contract_2 creation", "TELMEX handles Contract_2 cancel"]
    assert contract.get_representation() == {"active": False, "activated": False, "name": "Contract_2",
                                             "backend": "telmex"}
    assert not contract.smt_subscription_ids
    assert contract.event_ids.mapped("handled_by") == ["tcm_telmex", "tcm_telmex"]


@pytest.mark.parametrize("backend, handled_by", [("smt", "tcm_smt"), ("telmex", "tcm_telmex"), ("net", False)])
def test_each_backend_is_handled_by_its_own_plugin_only(make_contract, backend, handled_by):
    contract = make_contract("C", backend)
    assert contract.event_ids.handled_by == handled_by
    assert bool(contract.smt_subscription_ids) == (backend == "smt")


def test_telmex_contracts_are_activated_by_hand(make_contract):
    contract = make_contract("Contract_2", "telmex")
    contract.action_activate()
    assert contract.activated and contract.event_ids.mapped("event") == ["create", "activate"]
    assert contract.event_ids[-1].handled_by is False  # telmex does not listen to activation
