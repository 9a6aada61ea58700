from . import errors, money, pages, params
