from . import (
    iap_platform_account,
    iap_platform_ledger_entry,
    iap_platform_pack,
    iap_platform_quota,
    iap_platform_service,
    iap_platform_transaction,
    iap_platform_trial_grant,
)

# isort: split
from . import iap_platform_capture_batch  # extends iap.platform.transaction: imported after it
