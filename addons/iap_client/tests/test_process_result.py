"""Mapping the provider's answer: authors matched by name or created, and none of them lost."""


def answer(authors, **values):
    return {"name": "A Book", "isbn": "9780439023481", "date_release": "2008-01-01", "cover_image": False,
            "authors": authors, **values}


def test_existing_and_new_authors_are_all_kept(env):
    known = env["res.partner"].create({"name": "Known Author"})
    book = env["library.book"].create({"isbn": "9780439023481"})
    book.write(book.process_result(answer(["New Author", "Known Author", "Other New"])))
    assert sorted(book.author_ids.mapped("name")) == ["Known Author", "New Author", "Other New"]
    assert known in book.author_ids


def test_the_replace_command_comes_before_the_creations(env):
    env["res.partner"].create({"name": "Known Author"})
    commands = env["library.book"].process_result(answer(["New Author", "Known Author"]))["author_ids"]
    assert commands[0][0] == 6 and commands[1] == (0, 0, {"name": "New Author"})


def test_the_answer_replaces_the_previous_authors(env):
    wrong = env["res.partner"].create({"name": "Wrong Author"})
    book = env["library.book"].create({"isbn": "9780439023481", "author_ids": [(6, 0, wrong.ids)]})
    book.write(book.process_result(answer([])))
    assert not book.author_ids


def test_an_author_named_twice_or_blank_is_linked_once(env):
    values = env["library.book"].process_result(answer(["Same", " Same ", "", None]))
    assert values["author_ids"] == [(6, 0, []), (0, 0, {"name": "Same"})]


def test_the_book_fields_come_from_the_answer(env):
    values = env["library.book"].process_result(answer([], cover_image="aGVsbG8="))
    assert {k: values[k] for k in ("name", "isbn", "date_release", "cover_image")} == {
        "name": "A Book", "isbn": "9780439023481", "date_release": "2008-01-01", "cover_image": "aGVsbG8="}


def test_a_book_without_title_is_shown_by_its_isbn(env):
    assert env["library.book"].create({"isbn": "9780439023481"}).display_name == "ISBN 9780439023481"
