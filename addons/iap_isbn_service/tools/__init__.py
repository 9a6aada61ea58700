from . import errors, isbn
