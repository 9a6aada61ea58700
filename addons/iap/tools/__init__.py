from . import iap_tools, own_transaction, write_lock
