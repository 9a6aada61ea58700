"""A compute method that assigns a field another method computes: as in Odoo, the assignment is a
write of that field (its value lands in the cache, a stored one in its column too), and the
values the running method has assigned so far are kept."""
import pytest

pytestmark = pytest.mark.addons("test_compute_assign")


@pytest.fixture
def tree(env):
    Folder = env["test_compute_assign.folder"]
    root = Folder.create({"name": "root"})
    docs = Folder.create({"name": "docs", "parent_id": root.id})
    Folder.create({"name": "notes", "parent_id": docs.id})
    env.invalidate_all()
    return Folder.search([], order="id desc")  # the deepest first: it is computed before its parents


def test_display_name_assigning_another_computed_field_reads(tree):
    notes, docs, root = tree
    assert notes.display_name == "root / docs / notes"
    assert [f.display_name for f in tree] == ["root / docs / notes", "root / docs", "root"]


def test_the_value_assigned_is_the_one_read_until_a_change(env, tree):
    notes = env["test_compute_assign.folder"].browse(tree[0].id)  # alone: its parents assign nothing after
    assert notes.display_name == "root / docs / notes"
    assert notes.complete_name == "root / docs / notes"  # the display-name compute assigned it
    notes.name = "memos"
    assert notes.complete_name == "root/docs/memos"  # computed again, by its own method


def test_read_of_both_fields_after_such_a_compute(env, tree):
    notes = env["test_compute_assign.folder"].browse(tree[0].id)
    assert notes.read(["display_name", "complete_name"]) == [
        {"id": notes.id, "display_name": "root / docs / notes", "complete_name": "root / docs / notes"}]
    assert [f.read(["display_name"])[0]["display_name"] for f in tree] == [
        "root / docs / notes", "root / docs", "root"]


def test_recursive_compute_reading_its_parent_s_value(tree):
    assert [f.complete_name for f in tree] == ["root/docs/notes", "root/docs", "root"]


def test_stored_compute_assigning_another_stored_computed_field(env, tree):
    notes, docs, root = tree
    assert [(f.summary, f.depth) for f in tree] == [
        ("notes at depth 2", 2), ("docs at depth 1", 1), ("root at depth 0", 0)]
    notes.parent_id = root
    assert (notes.summary, notes.depth) == ("notes at depth 1", 1)
    env.invalidate_all()
    rows = env.cr.execute("SELECT summary, depth FROM test_compute_assign_folder WHERE id = %s",
                          (notes.id,)).fetchone()
    assert tuple(rows) == ("notes at depth 1", 1)


def test_a_batch_of_stored_computes_each_assigning_another_stored_field(env, tree):
    tree.write({"parent_id": False})
    assert [(f.summary, f.depth) for f in tree] == [
        ("notes at depth 0", 0), ("docs at depth 0", 0), ("root at depth 0", 0)]
    env.invalidate_all()
    rows = env.cr.execute("SELECT summary, depth FROM test_compute_assign_folder ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("root at depth 0", 0), ("docs at depth 0", 0), ("notes at depth 0", 0)]


def test_a_compute_that_assigns_nothing_to_a_read_only_field_fails_as_in_odoo(env, tree):
    """Odoo's ``Field.__get__``: a readonly non-stored field its method left unassigned raises
    ``ValueError("Compute method failed to assign ...")``; the records it did assign read fine."""
    notes, docs, root = tree
    assert (notes.parent_name, docs.parent_name) == ("docs", "root")
    with pytest.raises(ValueError, match=r"^Compute method failed to assign test_compute_assign\.folder\(\d+,\)"
                                         r"\.parent_name$"):
        root.parent_name  # noqa: B018


def test_a_field_with_an_inverse_left_unassigned_reads_false(env, tree):
    notes, _docs, root = tree
    assert (notes.editable_parent_name, root.editable_parent_name) == ("docs", False)
