"""Sequences: formatting, date ranges, both implementations, and no duplicate under concurrency."""
import datetime as dt
import multiprocessing

import pytest

from server.exceptions import UserError, ValidationError
from server.orm.environment import SUPERUSER_ID, Environment


def make_sequence(env, **values):
    return env["ir.sequence"].create({"name": values.pop("name", "Test"), "code": values.pop("code", "test.seq"),
                                      **values})


@pytest.mark.parametrize("implementation", ["standard", "no_gap"])
def test_numbers_follow_prefix_padding_and_increment(env, implementation):
    sequence = make_sequence(env, prefix="INV/%(year)s/%(month)s/", suffix="-%(y)s", padding=4,
                             number_next=7, number_increment=5, implementation=implementation)
    on = dt.date(2024, 3, 9)
    assert sequence.next_by_id(sequence_date=on) == "INV/2024/03/0007-24"
    assert env["ir.sequence"].next_by_code("test.seq", sequence_date=on) == "INV/2024/03/0012-24"
    assert sequence.number_next_actual == 17
    sequence.write({"number_next": 100})
    assert sequence.next_by_id() == f"INV/{dt.date.today():%Y/%m}/0100-{dt.date.today():%y}"


def test_unknown_code_archived_sequence_and_bad_values(env):
    assert env["ir.sequence"].next_by_code("no.such.code") is False
    sequence = make_sequence(env, active=False)
    assert sequence.next_by_id() is False
    bad = make_sequence(env, code="bad.prefix", prefix="%(nope)s-")
    with pytest.raises(UserError, match="Invalid prefix or suffix for sequence 'Test'"):
        bad.next_by_id()
    with pytest.raises(ValidationError, match="step cannot be 0"):
        make_sequence(env, number_increment=0)
    with pytest.raises(ValidationError, match="sequence code"):
        env["ir.sequence"].next_by_code(False)


def test_date_ranges_count_per_year_and_name_the_range(env):
    sequence = make_sequence(env, code="ranged", prefix="%(range_year)s/", use_date_range=True, padding=3)
    assert sequence.next_by_id(dt.date(2023, 12, 31)) == "2023/001"
    assert sequence.next_by_id(dt.date(2024, 1, 1)) == "2024/001"
    assert sequence.next_by_id(dt.date(2024, 6, 1)) == "2024/002"
    assert sequence.next_by_id(dt.date(2023, 5, 5)) == "2023/002"
    ranges = sequence.date_range_ids.sorted("date_from")
    assert [(str(r.date_from), str(r.date_to)) for r in ranges] == [("2023-01-01", "2023-12-31"),
                                                                   ("2024-01-01", "2024-12-31")]
    assert ranges[1].number_next_actual == 3


def test_no_gap_numbers_roll_back_with_the_transaction(fresh_registry):
    with fresh_registry.cursor() as cr:
        make_sequence(Environment(cr, SUPERUSER_ID, {}), implementation="no_gap", code="nogap")
    with fresh_registry.cursor() as cr:
        assert Environment(cr, SUPERUSER_ID, {})["ir.sequence"].next_by_code("nogap") == "1"
        cr.rollback()
        assert Environment(cr, SUPERUSER_ID, {})["ir.sequence"].next_by_code("nogap") == "1"


def test_a_sequence_is_removed_with_its_database_sequence(fresh_registry):
    with fresh_registry.cursor() as cr:
        sequence = make_sequence(Environment(cr, SUPERUSER_ID, {}), code="gone")
        sequence.next_by_id()
        name = f"ir_sequence_{sequence.id:03d}"
        sequence.unlink()
        if cr.database.dialect == "postgresql":
            assert cr.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is None


def _take_numbers(config_options: dict, code: str, count: int) -> list[str]:
    from server.config import Config
    from server.modules.registry import Registry

    registry = Registry.open(Config(config_options))
    numbers = []
    for _ in range(count):
        with registry.cursor() as cr:
            numbers.append(Environment(cr, SUPERUSER_ID, {})["ir.sequence"].next_by_code(code))
    return numbers


@pytest.mark.postgresql_only
@pytest.mark.parametrize("implementation", ["standard", "no_gap"])
def test_200_parallel_calls_from_8_processes_give_200_distinct_numbers(fresh_registry, implementation):
    with fresh_registry.cursor() as cr:
        make_sequence(Environment(cr, SUPERUSER_ID, {}), code="parallel", implementation=implementation)
    options = dict(fresh_registry.config.options)
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        batches = pool.starmap(_take_numbers, [(options, "parallel", 25)] * 8)
    numbers = [n for batch in batches for n in batch]
    assert len(numbers) == 200 and len(set(numbers)) == 200
    if implementation == "no_gap":
        assert sorted(map(int, numbers)) == list(range(1, 201))


def test_new_date_ranges_come_from_the_create_date_range_seq_hook(env, monkeypatch):
    sequence = make_sequence(env, use_date_range=True, padding=3)
    Sequence = type(sequence)
    base_hook = Sequence._create_date_range_seq

    def one_day(self, date):  # an addon's override, as OCA's sequence_reset_period writes it
        return self.env["ir.sequence.date_range"].create({"sequence_id": self.id, "date_from": date, "date_to": date})

    monkeypatch.setattr(Sequence, "_create_date_range_seq", one_day)
    assert sequence.next_by_id(sequence_date=dt.date(2024, 3, 9)) == "001"
    assert [(r.date_from, r.date_to) for r in sequence.date_range_ids] == [(dt.date(2024, 3, 9), dt.date(2024, 3, 9))]
    monkeypatch.setattr(Sequence, "_create_date_range_seq", base_hook)
    yearly = base_hook(sequence, dt.date(2025, 6, 1))
    assert (yearly.date_from, yearly.date_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
