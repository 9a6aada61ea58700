"""Spec 7.11 case 10, platform side: a client retry after a timeout is charged exactly once.

The provider derives the authorize idempotency key from the client's ``request_id`` (spec 7.6): the
retry re-authorizes with the same key, gets the same (already captured) transaction back, and its
capture is a replay.
"""
import hashlib


def provider_serves(platform, service, account_token: str, request_id: str) -> tuple[str, dict]:
    key = hashlib.sha256(f"{account_token}:{request_id}".encode()).hexdigest()
    token = platform.authorize(account_token=account_token, credit=1, key=service.key, ttl=1, idempotency_key=key,
                               description="Book data for ISBN 9781785884887")
    return token, platform.capture(token=token, key=service.key, credit_to_capture=1)


def test_a_retried_request_is_captured_once(env, platform, service, fund):
    customer = fund("tok", 5)
    first_token, first = provider_serves(platform, service, "tok", "req-1")  # the client timed out here
    retry_token, retry = provider_serves(platform, service, "tok", "req-1")
    assert retry_token == first_token
    assert retry == {**first, "replayed": True}
    assert (customer.available, customer.held) == (40_000, 0)
    captures = env["iap.platform.ledger.entry"].search([("kind", "=", "capture"),
                                                         ("account_code", "=", "platform:commission")])
    assert len(captures.filtered(lambda line: line.transaction_id.token == first_token)) == 1
    assert provider_serves(platform, service, "tok", "req-2")[0] != first_token  # a new request is a new charge
