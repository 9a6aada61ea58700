from . import credit_templates, iap_tools, own_transaction, quota_charge, sender, write_lock
