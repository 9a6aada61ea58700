"""ISBNs are normalized to ISBN-13 and their check digit verified (python-stdnum) before anything else."""
import pytest
from odoo.addons.iap_isbn_service.tools.isbn import MAX_ISBNS_PER_REQUEST, normalize_isbn, normalize_isbn_list
from odoo.exceptions import UserError


@pytest.mark.parametrize("sent", ["9780743273565", "978-0-7432-7356-5", " 978 0743 273565 ", "0743273567",
                                  "0-7432-7356-7"])
def test_every_form_of_an_isbn_becomes_the_same_isbn_13(sent):
    assert normalize_isbn(sent) == "9780743273565"


@pytest.mark.parametrize("sent, reason", [
    ("9780743273566", "checksum"), ("0743273568", "checksum"), ("97807432735", "length"),
    ("978-0-7432-ABCD-5", "format"),
])
def test_a_wrong_check_digit_length_or_format_is_a_user_error_naming_the_number(sent, reason):
    with pytest.raises(UserError, match=reason) as caught:
        normalize_isbn(sent)
    assert repr(sent) in str(caught.value) and caught.value.code == "invalid_isbn"
    assert caught.value.context == {"code": "invalid_isbn"}


@pytest.mark.parametrize("sent", [None, "", "   ", 9780743273565, ["9780743273565"]])
def test_anything_but_text_is_refused(sent):
    with pytest.raises(UserError, match="as text"):
        normalize_isbn(sent)


def test_a_list_maps_each_isbn_as_sent_to_its_isbn_13():
    assert normalize_isbn_list(["0743273567", "9780439023481"]) == {"0743273567": "9780743273565",
                                                                    "9780439023481": "9780439023481"}


def test_a_list_with_invalid_isbns_is_refused_whole_naming_each_of_them():
    with pytest.raises(UserError) as caught:
        normalize_isbn_list(["9780439023481", "123", "9780743273566"])
    assert "'123'" in str(caught.value) and "'9780743273566'" in str(caught.value)
    assert "9780439023481" not in str(caught.value) and caught.value.code == "invalid_isbn"


@pytest.mark.parametrize("sent", [[], "9780439023481", None, ["9780439023481"] * (MAX_ISBNS_PER_REQUEST + 1)])
def test_a_list_must_hold_between_one_and_fifty_isbns(sent):
    with pytest.raises(UserError) as caught:
        normalize_isbn_list(sent)
    assert caught.value.code == "invalid_params"
