"""The provider is called with no transaction of ours open, after what we wrote was committed."""
import pytest
from odoo.addons.iap_client.tools.transactions import call_between_transactions


def test_the_call_runs_between_transactions_after_a_commit(client):
    partner = client["res.partner"].create({"name": "Written before the call"})
    outside = call_between_transactions(client.cr, lambda: not client.cr.database.in_transaction())
    client.cr.rollback()
    assert outside is True and partner.exists()


def test_the_calls_result_is_returned_and_its_error_raised_in_the_next_transaction(client):
    assert call_between_transactions(client.cr, lambda: 42) == 42
    with pytest.raises(LookupError, match="boom"):
        call_between_transactions(client.cr, lambda: (_ for _ in ()).throw(LookupError("boom")))
    assert client.cr.database.in_transaction()
