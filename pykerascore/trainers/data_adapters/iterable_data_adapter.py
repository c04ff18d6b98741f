"""Iterable adapter: any re-iterable object of batches that is not an array -- a torch
`DataLoader`, a `tf.data.Dataset` (read with `as_numpy_iterator()`), a custom class with
`__iter__` -- walked afresh every epoch. Framework tensors become NumPy arrays.

Imports neither torch nor tensorflow: it only calls the object's own iteration methods.
"""

from pykerascore.trainers.data_adapters import data_adapter_utils as du
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter


class IterableDataAdapter(DataAdapter):
    def __init__(self, iterable, steps_per_epoch=None, class_weight=None):
        self.iterable = iterable
        self.class_weight = class_weight
        self._steps = steps_per_epoch if steps_per_epoch is not None and steps_per_epoch > 0 else None
        if du.is_tf_dataset(iterable):
            self.kind = "tf.data.Dataset"
            self._new_iterator = iterable.as_numpy_iterator
        else:
            self.kind = "torch DataLoader" if du.is_torch_dataloader(iterable) else f"iterable {type(iterable).__name__}"
            self._new_iterator = lambda: iter(iterable)
        self._checked_non_empty = False

    @property
    def num_batches(self):
        if self._steps is not None:
            return self._steps
        return _length(self.iterable)

    @property
    def batch_size(self):
        size = getattr(self.iterable, "batch_size", None)  # torch DataLoader
        return size if isinstance(size, int) else None

    def get_numpy_iterator(self):
        count, it = 0, self._new_iterator()
        while self._steps is None or count < self._steps:
            try:
                batch = next(it)
            except StopIteration:
                break
            count += 1
            self._checked_non_empty = True
            yield du.standardize_batch(batch, self.kind)
        if not self._checked_non_empty:
            raise ValueError(f"The {self.kind} yielded no batches: expected non-empty input data.")


def _length(iterable):
    cardinality = getattr(iterable, "cardinality", None)
    if du.is_tf_dataset(iterable) and cardinality is not None:
        n = int(cardinality())
        return n if n >= 0 else None  # tf: -1 infinite, -2 unknown
    try:
        return len(iterable)
    except TypeError:  # e.g. a DataLoader over an IterableDataset without __len__
        return None
