from . import library_author, library_book, library_loan, library_member
