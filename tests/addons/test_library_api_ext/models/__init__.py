from . import library_book
