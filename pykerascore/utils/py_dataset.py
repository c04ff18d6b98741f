"""`PyDataset` (alias `Sequence`): the base class users subclass to serve batches by index.

Holds only the user-facing contract and the three parallelism settings (workers,
use_multiprocessing, max_queue_size); the prefetching itself lives in
trainers/data_adapters/py_dataset_adapter.py. Iterating a PyDataset by hand is sequential.
"""

import itertools
import warnings


class PyDataset:
    """Subclass and implement `__len__` (number of batches) and `__getitem__(index)` (one whole
    batch: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`); optionally `on_epoch_begin` /
    `on_epoch_end`. Pass `workers`, `use_multiprocessing` and `max_queue_size` on to
    `super().__init__(**kwargs)` to have `fit()` fetch batches in parallel."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        missing = False
        for attr, default in (("_workers", 1), ("_use_multiprocessing", False), ("_max_queue_size", 10)):
            if not hasattr(self, attr):
                setattr(self, attr, default)
                missing = True
        if missing:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. `**kwargs` "
                "can include `workers`, `use_multiprocessing`, `max_queue_size`.",
                stacklevel=3,
            )

    @property
    def workers(self):
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)` returning one batch.")

    @property
    def num_batches(self):
        """Batches per epoch, or None for an endless dataset (override to return None)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__len__` (or the `num_batches` property, returning None "
            "for an endless dataset)."
        )

    def __iter__(self):
        n = self.num_batches
        for index in (range(n) if n is not None else itertools.count()):
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


Sequence = PyDataset
