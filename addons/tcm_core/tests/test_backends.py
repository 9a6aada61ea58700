"""The plugin API: backend_handler, send order, representations, and a raising handler leaving no trace."""
import pytest
from odoo.addons.tcm_core.backends import (
    PluginError,
    backend_handler,
    backend_representation,
    get_pbe_info,
    on_contract_cancel,
    on_contract_create,
    on_contract_suspend,
)

SEEN: list[tuple[str, str, str]] = []


# Handlers of this test module belong to tcm_core (installed here) and only act on test backends.
@backend_handler(on_contract_create, "tcm_test_backend")
def remember_create(contract, backend):
    SEEN.append(("create", contract.name, backend))
    contract.activated = True


@backend_handler(on_contract_suspend, "tcm_test_backend")
def remember_suspend(contract, backend):
    SEEN.append(("suspend", contract.name, backend))


@backend_handler(on_contract_create, "tcm_test_failing")
@backend_handler(on_contract_cancel, "tcm_test_failing")
def explode(contract, backend):
    contract.write({"name": contract.name + " (touched)"})
    if contract.name.startswith("Boom"):
        raise RuntimeError("the backend is on fire")


@backend_representation("tcm_test_backend")
def describe(contract):
    return {"name": "tcm_test_backend", "contract": contract.name, "ref": contract.id}


@pytest.fixture
def make_contract(env):
    def make(name, backend):
        product = env["tcm.product"].create({"name": f"Product {backend}", "payment_backend": backend})
        return env["tcm.contract"].create({"name": name, "product_id": product.id})
    SEEN.clear()
    return make


def test_a_handler_acts_only_on_its_backend(make_contract):
    mine = make_contract("Mine", "tcm_test_backend")
    other = make_contract("Other", "net")
    assert SEEN == [("create", "Mine", "tcm_test_backend")]
    assert mine.activated and not other.activated
    assert mine.event_ids.handled_by == "tcm_core" and not other.event_ids.handled_by


def test_a_handler_acts_only_on_its_signal(make_contract):
    contract = make_contract("Mine", "tcm_test_backend")
    contract.action_suspend()
    contract.action_reactivate()
    assert [event for event, _name, _backend in SEEN] == ["create", "suspend"]
    assert contract.event_ids.mapped("handled_by") == ["tcm_core", "tcm_core", False]


def test_the_representation_comes_from_the_plugin_or_is_the_backend_name(env, make_contract):
    mine = make_contract("Mine", "tcm_test_backend")
    assert mine.get_representation() == {"active": True, "activated": True, "name": "Mine",
                                         "backend": {"name": "tcm_test_backend", "contract": "Mine", "ref": mine.id}}
    assert get_pbe_info("tcm_test_backend", env) is describe
    assert get_pbe_info("net", env) is None
    assert make_contract("Plain", "net").get_representation()["backend"] == "net"


def test_a_raising_handler_aborts_the_creation_and_names_the_plugin(env, make_contract):
    before = (env["tcm.contract"].search_count([]), env["tcm.contract.event"].search_count([]))
    queued = list(env.cr.postcommit)
    with pytest.raises(PluginError) as failed:
        make_contract("Boom", "tcm_test_failing")
    error = failed.value
    assert (error.plugin, error.handler, error.signal, error.contract) == (
        "tcm_core", "explode", "on_contract_create", "Boom")
    assert "was not created: plugin 'tcm_core' failed in its handler explode() for on_contract_create" in str(error)
    assert "the backend is on fire" in str(error) and "Nothing was saved" in str(error)
    assert (env["tcm.contract"].search_count([]), env["tcm.contract.event"].search_count([])) == before
    assert env.cr.postcommit == queued


def test_a_raising_handler_aborts_the_cancellation(make_contract):
    contract = make_contract("Quiet", "tcm_test_failing")
    contract.write({"name": "Boom later"})
    with pytest.raises(PluginError, match="'Boom later' was not cancelled"):
        contract.action_cancel()
    assert (contract.name, contract.state, contract.active) == ("Boom later", "open", True)
    assert contract.event_ids.mapped("event") == ["create"]


def test_a_handler_can_be_disconnected(make_contract):
    on_contract_suspend.disconnect(remember_suspend._signal_guard)
    try:
        make_contract("Mine", "tcm_test_backend").action_suspend()
    finally:
        on_contract_suspend.connect(remember_suspend._signal_guard, weak=False)
    assert [event for event, _name, _backend in SEEN] == ["create"]
