"""The library's own tests, written exactly as for Odoo 17 (odoo.tests), run by pytest and --test-enable."""
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged, users, warmup


class TestLibraryRules(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = new_test_user(cls.env, "reader", groups="test_library_api.group_reader")
        cls.keeper = new_test_user(cls.env, "keeper", groups="test_library_api.group_librarian")
        cls.member = cls.env["test_library_api.member"].create({"name": "Reader", "user_id": cls.reader.id})
        cls.other = cls.env["test_library_api.member"].create({"name": "Someone"})
        cls.book = cls.env["test_library_api.book"].create({"name": "Dune", "state": "available"})

    def test_reader_sees_only_own_loans(self):
        Loan = self.env["test_library_api.loan"]
        own = Loan.create({"book_id": self.book.id, "member_id": self.member.id})
        Loan.create({"book_id": self.book.id, "member_id": self.other.id})
        self.assertEqual(Loan.with_user(self.reader).search([]), own)
        self.assertEqual(len(Loan.with_user(self.keeper).search([])), 2)

    def test_savepoint_isolation(self):
        # the loans of the previous test were rolled back
        self.assertFalse(self.env["test_library_api.loan"].search([]))

    @users("reader", "keeper")
    def test_both_users_read_books(self):
        self.assertEqual(self.env["test_library_api.book"].search([]).mapped("name"), ["Dune"])

    def test_reader_cannot_write_books(self):
        with self.assertRaises(AccessError):
            self.book.with_user(self.reader).write({"name": "Changed"})

    @warmup
    def test_query_count(self):
        book = self.env["test_library_api.book"].browse(self.book.id)
        with self.assertQueryCount(3):
            book.invalidate_recordset()
            self.assertEqual(book.name, "Dune")

    def test_record_values_and_commands(self):
        loan = self.env["test_library_api.loan"].create({"book_id": self.book.id, "member_id": self.member.id})
        self.assertRecordValues(self.book, [{"name": "Dune", "state": "available", "loan_ids": loan.ids}])
        self.book.write({"loan_ids": [Command.delete(loan.id)]})
        self.assertRecordValues(self.book, [{"loan_ids": []}])


@tagged("post_install", "-at_install", "library_form")
class TestLibraryForm(TransactionCase):
    def test_form_runs_onchanges_and_saves(self):
        with Form(self.env["test_library_api.book"]) as form:
            form.name = "Tome"
            form.pages = 1500
            self.assertEqual(form.state, "hidden")
            self.assertEqual(form.warning["title"], "Long book")
        book = form.record
        self.assertEqual((book.name, book.pages, book.state), ("Tome", 1500, "hidden"))
        edit = Form(book)
        edit.pages = 10
        edit.save()
        self.assertEqual(book.pages, 10)


@tagged("post_install", "-at_install")
class TestLibraryHttp(HttpCase):
    def test_login_and_call(self):
        new_test_user(self.env, "httpreader", groups="test_library_api.group_reader")
        self.env["test_library_api.book"].create({"name": "Served"})
        self.authenticate("httpreader", "httpreader")
        result = self.make_jsonrpc_request("/web/dataset/call_kw/test_library_api.book/search_read", {
            "model": "test_library_api.book", "method": "search_read", "args": [[]],
            "kwargs": {"fields": ["name"]}})
        self.assertEqual([r["name"] for r in result], ["Served"])
        response = self.url_open("/web/webclient/version_info", data="{}",
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200)


@tagged("-standard", "on_purpose")
class TestFailsOnPurpose(TransactionCase):
    """Selected only by --test-tags on_purpose: shows that a failing test makes --test-enable exit 1."""

    def test_fails(self):
        self.assertEqual(1, 2, "this test fails on purpose")
