"""IterableDataAdapter: re-iterable batch sources (custom iterables, torch DataLoader, tf.data)
walked afresh each epoch, tensors converted to NumPy."""

import numpy as np
import pytest

from pykerascore.trainers.data_adapters import IterableDataAdapter, get_data_adapter


class Batches:
    """A re-iterable with a length, like a DataLoader."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        for i in range(self.n):
            yield np.full((2, 3), i, "float32"), np.full((2,), i)


def test_custom_iterable_restarts_each_epoch():
    a = get_data_adapter(Batches(3))
    assert isinstance(a, IterableDataAdapter) and a.num_batches == 3
    for _ in range(2):
        assert [int(b[1][0]) for b in a.get_numpy_iterator()] == [0, 1, 2]


def test_steps_per_epoch_caps_batches():
    a = get_data_adapter(Batches(5), steps_per_epoch=2)
    assert a.num_batches == 2 and len(list(a.get_numpy_iterator())) == 2


def test_empty_iterable_raises():
    with pytest.raises(ValueError, match="yielded no batches"):
        list(get_data_adapter(Batches(0)).get_numpy_iterator())


def test_y_with_iterable_raises():
    with pytest.raises(ValueError, match="`y` should not be passed"):
        get_data_adapter(Batches(1), np.zeros(2))


def test_torch_dataloader_batches_become_numpy():
    torch = pytest.importorskip("torch")
    ds = torch.utils.data.TensorDataset(torch.arange(20, dtype=torch.float32).reshape(10, 2), torch.arange(10))
    loader = torch.utils.data.DataLoader(ds, batch_size=4)
    a = get_data_adapter(loader)
    assert a.num_batches == 3 and a.batch_size == 4
    batches = list(a.get_numpy_iterator())
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert isinstance(batches[0][0], np.ndarray) and batches[0][1].dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), np.arange(10))


def test_torch_tensors_are_array_inputs():
    torch = pytest.importorskip("torch")
    a = get_data_adapter(torch.ones((6, 2)), torch.zeros(6))
    assert a.is_array and isinstance(a.x[0], np.ndarray) and a.num_samples == 6


def test_tf_dataset_via_numpy_iterator():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((10, 2), "float32"), np.arange(10))).batch(4)
    a = get_data_adapter(ds)
    assert a.num_batches == 3
    assert [b[0].shape[0] for b in a.get_numpy_iterator()] == [4, 4, 2]
