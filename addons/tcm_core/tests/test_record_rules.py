"""Users see and change their own contracts only; administrators every contract (security/tcm_security.xml)."""
import pytest
from odoo.exceptions import AccessError


@pytest.fixture
def contracts(env):
    product = env["tcm.product"].create({"name": "Rules Net", "payment_backend": "net"})
    demo = env.ref("base.user_demo")
    admin = env.ref("base.user_admin")
    mine = env["tcm.contract"].with_user(demo).create({"name": "C-DEMO", "product_id": product.id})
    theirs = env["tcm.contract"].with_user(admin).create({"name": "C-ADMIN", "product_id": product.id})
    return demo, admin, mine, theirs


def test_a_user_sees_only_their_own_contracts_and_their_history(env, contracts):
    demo, _admin, mine, theirs = contracts
    as_demo = env["tcm.contract"].with_user(demo)
    assert as_demo.search([("name", "in", ["C-DEMO", "C-ADMIN"])]) == mine.with_user(demo)
    events = env["tcm.contract.event"].with_user(demo).search([("contract_id", "in", [mine.id, theirs.id])])
    assert events.mapped("contract_id").ids == [mine.id]


def test_a_user_cannot_cancel_or_change_another_users_contract(env, contracts):
    demo, _admin, mine, theirs = contracts
    for change in (lambda c: c.action_cancel(), lambda c: c.write({"name": "stolen"})):
        with pytest.raises(AccessError):
            change(theirs.with_user(demo))
    assert (theirs.state, theirs.name) == ("open", "C-ADMIN")
    mine.with_user(demo).action_cancel()
    assert mine.state == "cancelled"


def test_administrators_see_and_change_every_contract(env, contracts):
    _demo, admin, mine, theirs = contracts
    as_admin = env["tcm.contract"].with_user(admin)
    assert as_admin.search([("name", "in", ["C-DEMO", "C-ADMIN"])]) == (mine | theirs).with_user(admin)
    mine.with_user(admin).action_suspend()
    assert mine.state == "suspended"
