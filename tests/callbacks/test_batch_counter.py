"""BatchCounter: batches between saves when hooks see only the last batch of each execution."""

from pykerascore.callbacks.batch_counter import BatchCounter


def test_every_batch_seen():
    counter = BatchCounter(3)
    assert [counter.due(b) for b in range(7)] == [False, False, True, False, False, True, False]


def test_executions_of_several_batches_count_all_their_batches():
    counter = BatchCounter(4)
    assert [counter.due(b) for b in (1, 3, 5, 7)] == [False, True, False, True]


def test_a_new_epoch_counts_from_its_first_batch():
    counter = BatchCounter(3)
    assert [counter.due(b) for b in (1, 3)] == [False, True]  # 4 batches: due at the 3rd or later
    assert counter.due(1) is False  # new epoch: batches 0 and 1, 2 since the save
    assert counter.due(3) is True


def test_reset_last_batch_after_an_epoch_counts_the_same():
    counter = BatchCounter(2)
    counter.due(3)
    counter.last_batch = None
    assert counter.since_last_save == 0 and counter.due(1) is True
