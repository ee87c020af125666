import pytest

from socle.core.batches import batched


def test_it_cuts_items_into_ordered_batches_of_at_most_size():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched(iter("abcd"), 2)) == [["a", "b"], ["c", "d"]]


def test_it_gives_nothing_for_no_items():
    assert list(batched([], 3)) == []


def test_it_refuses_an_empty_batch_size():
    with pytest.raises(ValueError):
        list(batched([1], 0))
