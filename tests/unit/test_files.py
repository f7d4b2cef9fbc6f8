"""Atomic replacement (a reader sees the old file or the new one, never half of one) and
batches of files within a budget."""

from pathlib import Path

import pytest

from pipelines.files import in_batches, replace_atomically


def test_the_new_content_replaces_the_old_and_no_temporary_file_stays(tmp_path: Path):
    path = tmp_path / "out" / "a.txt"
    assert replace_atomically(path, lambda tmp: tmp.write_text("first")) == path
    replace_atomically(path, lambda tmp: tmp.write_text("second"))
    assert path.read_text() == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.txt"]


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary_one(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("old and whole")

    def half_then_fail(tmp: Path) -> None:
        with open(tmp, "w") as f:
            f.write("new but ha")
            f.flush()
        assert path.read_text() == "old and whole"  # the reader's view during the write
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(path, half_then_fail)
    assert path.read_text() == "old and whole"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_batches_keep_the_order_and_hold_at_most_the_budget():
    """50 + 60 is over 100, so 60 starts a batch; 200 is over the budget alone."""
    sizes = [50, 60, 30, 200, 10, 10]
    batches = list(in_batches(sizes, lambda n: n, 100))
    assert batches == [[50], [60, 30], [200], [10, 10]]


def test_no_items_make_no_batch():
    assert list(in_batches([], len, 100)) == []
