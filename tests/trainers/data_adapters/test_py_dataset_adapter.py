"""PyDataset + PyDatasetAdapter: batches in order with or without a thread/process pool,
epoch hooks, shuffling of batch order, the max_queue_size bound, errors, and close()."""

import multiprocessing
import random
import threading
import time

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.trainers.data_adapters import PyDatasetAdapter, get_data_adapter


class Squares(keras.utils.PyDataset):
    """Batch i: x = [[i], [i]] (float32), y = [i*i, i*i]; 7 batches."""

    def __init__(self, n=7, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.epoch_ends = 0
        self.epoch_begins = 0
        self.calls = []
        self._lock = threading.Lock()

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        with self._lock:
            self.calls.append(i)
        return np.full((2, 1), i, "float32"), np.full((2,), i * i, "int64")

    def on_epoch_begin(self):
        self.epoch_begins += 1

    def on_epoch_end(self):
        self.epoch_ends += 1

    def __getstate__(self):  # the lock stays behind when a worker process gets a copy
        state = dict(self.__dict__)
        state.pop("_lock")
        return state

    def __setstate__(self, state):
        self.__dict__.update(state, _lock=threading.Lock())


class Endless(keras.utils.PyDataset):
    @property
    def num_batches(self):
        return None

    def __getitem__(self, i):
        return np.full((1, 1), i, "float32")


class Slow(Squares):
    def __getitem__(self, i):
        time.sleep(30)
        return super().__getitem__(i)


class Failing(Squares):
    def __getitem__(self, i):
        if i == 2:
            raise KeyError("bad index 2")
        return super().__getitem__(i)


def _epoch(adapter):
    adapter.on_epoch_begin()
    out = [int(b[0][0, 0]) for b in adapter.get_numpy_iterator()]
    adapter.on_epoch_end()
    return out


def test_sequence_is_an_alias():
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_constructor_settings_are_kept():
    ds = Squares(workers=3, use_multiprocessing=True, max_queue_size=4)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (3, True, 4)


def test_missing_super_init_warns_and_defaults():
    class NoSuper(keras.utils.PyDataset):
        def __init__(self):
            pass

    with pytest.warns(UserWarning, match="super\\(\\).__init__"):
        assert NoSuper().workers == 1


def test_batches_structure():
    x, y, sw = next(get_data_adapter(Squares()).get_numpy_iterator())
    assert x.shape == (2, 1) and x.dtype == np.float32 and y.tolist() == [0, 0] and sw is None


@pytest.mark.parametrize("workers,use_mp", [(1, False), (4, False), (1, True), (4, True)])
def test_same_batches_in_order_for_every_pool(workers, use_mp):
    a = get_data_adapter(Squares(workers=workers, use_multiprocessing=use_mp, max_queue_size=3))
    assert a.num_batches == 7
    assert _epoch(a) == list(range(7))
    assert _epoch(a) == list(range(7))
    a.close()


@pytest.mark.parametrize("workers,use_mp", [(1, False), (4, False), (2, True)])
def test_shuffle_permutes_batch_order_per_epoch(workers, use_mp):
    a = get_data_adapter(Squares(workers=workers, use_multiprocessing=use_mp), shuffle=True)
    first, second = _epoch(a), _epoch(a)
    expected = [list(range(7)), list(range(7))]
    for epoch, order in enumerate(expected):
        random.Random(epoch).shuffle(order)
    assert [first, second] == expected and first != second
    a.close()


@pytest.mark.parametrize("workers", [1, 4])
def test_epoch_hooks_called_once_per_epoch(workers):
    ds = Squares(workers=workers)
    a = get_data_adapter(ds)
    for _ in range(3):
        _epoch(a)
    assert (ds.epoch_begins, ds.epoch_ends) == (3, 3)
    a.close()


def test_max_queue_size_bounds_prefetch():
    ds = Squares(n=30, workers=4, max_queue_size=3)
    a = get_data_adapter(ds)
    it = a.get_numpy_iterator()
    for consumed in range(1, 8):
        next(it)
        time.sleep(0.05)  # let the workers run as far ahead as they are allowed
        assert len(ds.calls) <= consumed + 3
    deadline = time.time() + 5
    while len(ds.calls) < 7 + 3 and time.time() < deadline:
        time.sleep(0.01)
    assert len(ds.calls) == 7 + 3  # and they do prefetch up to the bound
    a.close()


def test_prefetch_starts_at_epoch_begin():
    ds = Squares(workers=2, max_queue_size=4)
    a = get_data_adapter(ds)
    a.on_epoch_begin()
    deadline = time.time() + 5
    while len(ds.calls) < 4 and time.time() < deadline:
        time.sleep(0.01)
    assert sorted(ds.calls) == [0, 1, 2, 3]
    a.close()


def test_fit_arguments_override_dataset_settings():
    a = get_data_adapter(Squares(), workers=4, use_multiprocessing=True, max_queue_size=2)
    assert (a.workers, a.use_multiprocessing, a.max_queue_size) == (4, True, 2)
    assert _epoch(a) == list(range(7))
    a.close()


def test_dataset_settings_hold_when_fit_uses_defaults():
    a = get_data_adapter(Squares(workers=3, max_queue_size=5))
    assert (a.workers, a.use_multiprocessing, a.max_queue_size) == (3, False, 5)


def test_endless_dataset_resumes_across_epochs():
    a = get_data_adapter(Endless(workers=2, max_queue_size=2), steps_per_epoch=3)
    assert a.num_batches is None
    got = []
    for _ in range(2):
        a.on_epoch_begin()
        it = a.get_numpy_iterator()
        got.append([int(next(it)[0][0, 0]) for _ in range(3)])
        a.on_epoch_end()
    assert got == [[0, 1, 2], [3, 4, 5]]
    a.close()


@pytest.mark.parametrize("workers,use_mp", [(1, False), (3, False), (2, True)])
def test_getitem_errors_propagate(workers, use_mp):
    a = get_data_adapter(Failing(workers=workers, use_multiprocessing=use_mp))
    with pytest.raises(KeyError, match="bad index 2"):
        list(a.get_numpy_iterator())
    a.close()


def test_empty_dataset_raises():
    with pytest.raises(ValueError, match="no batches"):
        get_data_adapter(Squares(n=0))


def test_y_with_py_dataset_raises():
    with pytest.raises(ValueError, match="When providing `x` as a PyDataset, `y` should not be passed"):
        get_data_adapter(Squares(), np.zeros(7))


@pytest.mark.parametrize("kwargs", [{"workers": -1}, {"max_queue_size": 0}])
def test_bad_parallelism_settings_raise(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        get_data_adapter(Squares(**kwargs))


def test_close_terminates_worker_processes():
    before = set(multiprocessing.active_children())
    a = get_data_adapter(Squares(workers=3, use_multiprocessing=True))
    next(a.get_numpy_iterator())
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 3
    a.close()
    assert not any(p.is_alive() for p in workers)


def test_close_does_not_wait_for_busy_workers():
    a = get_data_adapter(Slow(workers=2, use_multiprocessing=True))
    a.on_epoch_begin()
    time.sleep(0.2)  # workers are now inside a 30 s __getitem__
    start = time.time()
    a.close()
    assert time.time() - start < 5


def test_adapter_is_a_py_dataset_adapter():
    assert isinstance(get_data_adapter(Squares()), PyDatasetAdapter)
