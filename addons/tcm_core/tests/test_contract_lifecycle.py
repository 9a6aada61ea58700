"""A contract's life: created open, activated, suspended, reactivated, cancelled; refusals name the fix."""
import pytest
from odoo.exceptions import UserError, ValidationError


@pytest.fixture
def product(env):
    return env["tcm.product"].create({"name": "Titans Net", "payment_backend": "net"})


@pytest.fixture
def contract(env, product):
    return env["tcm.contract"].create({"name": "C-100", "product_id": product.id})


def test_create_takes_the_backend_from_the_product(env, contract, product):
    assert (contract.backend, contract.state, contract.active, contract.activated) == ("net", "open", True, False)
    assert contract.date_created and not contract.date_activated
    assert contract.user_id == env.user and contract.partner_id == env.user.partner_id
    assert contract.event_ids.mapped("event") == ["create"]


def test_a_backend_other_than_the_products_is_refused(env, product):
    with pytest.raises(UserError, match="the backend comes from the product"):
        env["tcm.contract"].create({"name": "C-101", "product_id": product.id, "backend": "smt"})


def test_a_missing_product_is_named(env):
    with pytest.raises(UserError, match="product 999999 does not exist"):
        env["tcm.contract"].create({"name": "C-102", "product_id": 999999})


def test_every_operation_moves_the_state_and_stamps_its_date(contract):
    contract.action_activate()
    assert contract.activated and contract.date_activated
    contract.action_suspend()
    assert contract.state == "suspended" and contract.date_suspended
    contract.action_reactivate()
    assert contract.state == "open" and not contract.date_suspended
    contract.action_cancel()
    assert (contract.state, contract.active) == ("cancelled", False) and contract.date_cancelled
    assert contract.event_ids.mapped("event") == ["create", "activate", "suspend", "reactivate", "cancel"]


@pytest.mark.parametrize("before, operation, message", [
    (["action_cancel"], "action_cancel", "is already cancelled: there is nothing to cancel"),
    (["action_cancel"], "action_activate", "is cancelled and cannot be activated: create a new contract"),
    (["action_activate"], "action_activate", "is already activated"),
    (["action_suspend"], "action_activate", "is suspended: reactivate it"),
    (["action_suspend"], "action_suspend", "is already suspended"),
    ([], "action_reactivate", "is not suspended"),
    (["action_cancel"], "action_reactivate", "is cancelled and cannot be reactivated"),
])
def test_impossible_operations_are_refused_by_name(contract, before, operation, message):
    for step in before:
        getattr(contract, step)()
    events = len(contract.event_ids)
    with pytest.raises(UserError, match=message) as refused:
        getattr(contract, operation)()
    assert "'C-100'" in str(refused.value)
    assert len(contract.event_ids) == events


def test_lifecycle_fields_are_not_written_directly(contract):
    with pytest.raises(UserError, match="state can only change through the lifecycle operations"):
        contract.write({"state": "cancelled"})
    with pytest.raises(UserError, match="product_id can only change"):
        contract.write({"product_id": contract.product_id.id})
    contract.write({"name": "C-100 renamed"})
    assert contract.name == "C-100 renamed"


def test_the_package_must_be_one_of_the_products(env, product):
    other = env["tcm.product"].create({"name": "Other", "payment_backend": "net"})
    package = env["tcm.package"].create({"name": "Monthly", "product_id": other.id})
    with pytest.raises(ValidationError, match="belongs to product 'Other'"):
        env["tcm.contract"].create({"name": "C-103", "product_id": product.id, "package_id": package.id})


def test_payment_backends_are_identifiers(env):
    with pytest.raises(ValidationError, match="must be a lowercase identifier"):
        env["tcm.product"].create({"name": "Bad", "payment_backend": "S M T"})


def test_cancelled_contracts_are_archived(env, contract):
    contract.action_cancel()
    assert not env["tcm.contract"].search([("name", "=", "C-100")])
    assert env["tcm.contract"].with_context(active_test=False).search([("name", "=", "C-100")]) == contract


def test_an_internal_user_runs_the_lifecycle_through_public_methods(env, product):
    """What a client does over execute_kw: create, act by ids, read; the audit says who."""
    user = env["res.users"].create({"name": "Clerk", "login": "clerk",
                                    "groups_id": [(4, env.ref("base.group_user").id)]})
    contracts = env["tcm.contract"].with_user(user)
    contract_id = contracts.create({"name": "C-104", "product_id": product.id}).id
    contracts.browse([contract_id]).action_activate()
    contracts.browse([contract_id]).action_cancel()
    [row] = contracts.with_context(active_test=False).search_read([("id", "=", contract_id)], ["state", "activated"])
    assert (row["state"], row["activated"]) == ("cancelled", True)
    assert contracts.browse(contract_id).get_representation() == {
        "active": False, "activated": True, "name": "C-104", "backend": "net"}
    history = env["tcm.contract.event"].with_user(user).search_read([("contract_id", "=", contract_id)],
                                                                     ["event", "user_id", "date"])
    assert [(h["event"], h["user_id"][0]) for h in history] == [("create", user.id), ("activate", user.id),
                                                                 ("cancel", user.id)]
    assert all(h["date"] for h in history)
