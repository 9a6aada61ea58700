from . import html_sanitizer, transactions
