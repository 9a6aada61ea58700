"""With the three ISBN roles installed in one database, the demo client account can pay for lookups."""


def test_demo_client_account_holds_ten_credits(env):
    statement = env["iap.platform.account"].statement("book_isbn", "demo-isbn-client-token")
    assert statement["token"] == "demo-isbn-client-token"
    assert env["iap.platform.account"].admin_topup("book_isbn", "demo-isbn-client-token", 0.5) == 10.5
