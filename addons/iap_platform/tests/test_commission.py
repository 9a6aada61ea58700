"""Spec 7.11 case 6: every capture splits exactly into provider share + commission (>= 25 %, within 1 unit)."""
import random

import pytest

UNIT = 10_000


@pytest.mark.parametrize("commission_bp", [2500, 3333])
def test_random_captures_split_exactly(env, platform, service, fund, commission_bp):
    service.record.write({"commission_bp": commission_bp})
    fund("tok", 10_000)
    rng = random.Random(commission_bp)
    for _ in range(40):
        authorized = rng.randint(1, 50 * UNIT)
        captured = rng.randint(0, authorized)
        token = platform.authorize(account_token="tok", credit=authorized / UNIT, key=service.key)
        platform.capture(token=token, key=service.key, credit_to_capture=captured / UNIT)
        transaction = platform.search([("token", "=", token)])
        assert transaction.provider_share + transaction.commission == transaction.captured == captured
        assert transaction.commission * 10_000 >= captured * commission_bp
        assert transaction.commission * 10_000 - captured * commission_bp < 10_000  # less than 1 unit over
    assert env["iap.platform.ledger.entry"].check_invariants() == []
