"""``_fetch_where``: the records a plain-SQL condition matches, read (and locked) by the same query."""
import pytest

pytestmark = pytest.mark.addons("test_library_api")


def loans_of_two_readers(env):
    ref = env.ref
    users = {login: env["res.users"].create({"name": login.title(), "login": login,
                                            "groups_id": [(6, 0, [ref("test_library_api.group_reader").id])]})
             for login in ("ann", "bob")}
    members = {login: env["test_library_api.member"].create({"name": user.name, "user_id": user.id})
               for login, user in users.items()}
    book = env["test_library_api.book"].create({"name": "Dune", "state": "available", "pages": 600})
    loans = {login: env["test_library_api.loan"].create({"book_id": book.id, "member_id": member.id})
             for login, member in members.items()}
    return users, members, loans


def test_the_matching_records_come_with_their_columns_in_one_query(env, count_queries):
    _users, members, loans = loans_of_two_readers(env)
    env.invalidate_all()
    with count_queries() as queries:
        found = env["test_library_api.loan"]._fetch_where('"member_id" IN (%s, %s)', tuple(m.id for m in
                                                                                           members.values()))
        assert sorted(found.ids) == sorted(loan.id for loan in loans.values())
        assert {loan.member_id.id for loan in found} == {m.id for m in members.values()}  # cached: no query
    assert len(queries) == 1 and queries[0].startswith("SELECT")
    assert not env["test_library_api.loan"]._fetch_where('"id" = %s', (-1,))


def test_the_read_rules_leave_out_what_the_user_may_not_read(env):
    users, members, loans = loans_of_two_readers(env)
    as_ann = env["test_library_api.loan"].with_user(users["ann"])
    found = as_ann._fetch_where('"member_id" IN (%s, %s)', tuple(m.id for m in members.values()))
    assert found.ids == [loans["ann"].id]


def test_a_locking_fetch_locks_on_postgresql_and_relies_on_the_write_transaction_on_sqlite(env, db_backend,
                                                                                           count_queries):
    _users, members, _loans = loans_of_two_readers(env)
    with count_queries() as queries:
        env["test_library_api.loan"]._fetch_where('"member_id" = %s', (members["ann"].id,), lock=True)
    assert queries[-1].endswith(" FOR UPDATE") == (db_backend == "postgresql")
