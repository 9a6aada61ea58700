from . import library_book, library_loan, library_member
