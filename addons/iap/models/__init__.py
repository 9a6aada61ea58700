from . import iap, iap_account, iap_pending_op, iap_quota
