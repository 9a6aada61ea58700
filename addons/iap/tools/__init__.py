from . import iap_tools, own_transaction
