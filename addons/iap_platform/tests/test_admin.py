"""What an administrator does: services and keys, top-ups, holds, statements; others are refused."""
import hashlib

import pytest
from odoo.exceptions import AccessError, UserError, ValidationError


def test_a_service_key_is_shown_once_and_stored_as_a_hash(env):
    created = env["iap.platform.service"].create_service("keyed_service", trial_credits=1.5)
    service = env["iap.platform.service"].browse(created["id"])
    assert created["key"].startswith("iapk_") and len(created["key"]) > 40
    assert service.key_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    assert created["key"] not in str(service.read()[0])
    assert service.trial_credits == 15_000


def test_rotating_a_key_invalidates_the_old_one(env, platform, service, fund):
    fund("tok", 2)
    new_key = service.record.rotate_key()
    with pytest.raises(AccessError):
        platform.authorize(account_token="tok", credit=1, key=service.key)
    assert platform.authorize(account_token="tok", credit=1, key=new_key)


def test_service_names_and_terms_are_validated(env):
    with pytest.raises(ValidationError, match="Invalid IAP service name"):
        env["iap.platform.service"].create_service("Bad Name")
    with pytest.raises(ValidationError, match="commission"):
        env["iap.platform.service"].create_service("fine_name", commission_bp=10_001)
    with pytest.raises(UserError, match="Did you mean 'book_isbn'"):
        env["iap.platform.account"].admin_topup("book_isbm", "tok", 1)


def test_holds_cancel_hold_and_statement(env, platform, service, fund):
    fund("tok", 3)
    token = platform.authorize(account_token="tok", credit=2, key=service.key, description="batch")
    holds = platform.open_holds(service.name)
    assert [(h["token"], h["authorized"], h["account_token"], h["description"]) for h in holds] == [
        (token, 2.0, "tok", "batch")]
    assert platform.admin_cancel(token)["released"] == 2.0
    assert platform.open_holds(service.name) == []
    statement = env["iap.platform.account"].statement(service.name, "tok")
    assert [(line["kind"], line["available"], line["held"]) for line in statement["lines"]] == [
        ("topup", 3.0, 0.0), ("authorize", -2.0, 2.0), ("release", 2.0, -2.0)]
    assert (statement["available"], statement["held"], statement["balance"]) == (3.0, 0.0, 3.0)


def test_non_administrators_are_refused(env):
    demo = env["res.users"].create({"name": "Portal Pat", "login": "pat_iap"})
    as_demo = env(user=demo.id)
    with pytest.raises(AccessError, match="administrators"):
        as_demo["iap.platform.service"].create_service("sneaky")
    with pytest.raises(AccessError):
        as_demo["iap.platform.account"].admin_topup("book_isbn", "tok", 100)
    with pytest.raises(AccessError):
        as_demo["iap.platform.transaction"].open_holds()
    with pytest.raises(AccessError):
        as_demo["iap.platform.ledger.entry"].check_invariants()


def test_test_mode_purchase_tops_up_at_once(env, service):
    env["ir.config_parameter"].set_param("iap_platform.test_mode", "1")
    pack = env["iap.platform.pack"].create({"name": "10", "service_id": service.record.id, "credit": 100_000,
                                            "price_cents": 499})
    page = env["iap.platform.pack"].credit_page(service.name, "tok", "db-1", "3", False)
    assert page["packs"] == [{"id": pack.id, "name": "10", "credits": "10", "currency": "EUR", "price": "4.99",
                              "description": "", "covers_need": True}]
    assert env["iap.platform.pack"].purchase(pack.id, "tok", "db-1")["available"] == 10.0
    with pytest.raises(UserError, match="disabled"):
        env["iap.platform.pack"].purchase(pack.id, "tok+disabled")


def test_purchases_need_a_payment_provider_outside_test_mode(env, service):
    env["ir.config_parameter"].set_param("iap_platform.test_mode", False)
    pack = env["iap.platform.pack"].create({"name": "p", "service_id": service.record.id, "credit": 1,
                                            "price_cents": 1})
    with pytest.raises(UserError, match="Payments are not configured"):
        env["iap.platform.pack"].purchase(pack.id, "tok")


def test_the_credit_page_renders_escaped(env, service):
    from odoo.addons.iap_platform.tools.pages import render_credit_page

    env["iap.platform.pack"].create({"name": "<b>big</b>", "service_id": service.record.id, "credit": 10_000,
                                     "price_cents": 100})
    html = render_credit_page(env["iap.platform.pack"].credit_page(service.name, "tok"), message="ok <script>")
    assert "&lt;b&gt;big&lt;/b&gt;" in html and "<script>" not in html
    assert 'name="account_token" value="tok"' in html
