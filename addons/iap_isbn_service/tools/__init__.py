from . import errors, isbn, transactions
