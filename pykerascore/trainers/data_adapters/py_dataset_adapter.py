"""PyDataset adapter: batches by index from a `utils.PyDataset`, fetched in the main thread or
prefetched on a thread/process pool (`prefetch.OrderedFetcher`), always in order.

Parallelism (Keras 3 rule): a pool when workers > 1, or workers >= 1 with use_multiprocessing.
shuffle=True (or "batch") shuffles the batch order per epoch, seeded by the epoch number.
Does not touch the model; calls the dataset's on_epoch_begin / on_epoch_end hooks.
"""

import itertools
import random

from pykerascore.trainers.data_adapters import data_adapter_utils as du
from pykerascore.trainers.data_adapters import prefetch
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter


class PyDatasetAdapter(DataAdapter):
    def __init__(self, dataset, shuffle=False, class_weight=None, workers=None, use_multiprocessing=None,
                 max_queue_size=None):
        """`workers` / `use_multiprocessing` / `max_queue_size` given here (Keras 2 style, from
        fit) override the dataset's own settings; None keeps the dataset's."""
        self.py_dataset = dataset
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.workers = dataset.workers if workers is None else workers
        self.use_multiprocessing = dataset.use_multiprocessing if use_multiprocessing is None else use_multiprocessing
        self.max_queue_size = dataset.max_queue_size if max_queue_size is None else max_queue_size
        pooled = prefetch.check_parallelism(self.workers, self.use_multiprocessing, self.max_queue_size)
        self._fetcher = (prefetch.OrderedFetcher(dataset, self.workers, self.use_multiprocessing, self.max_queue_size)
                         if pooled else None)
        self._epoch = 0
        self._resume_at = 0  # endless datasets continue where the last epoch stopped
        if dataset.num_batches == 0:
            raise ValueError("The PyDataset has no batches (its `__len__` is 0): expected non-empty input data.")

    @property
    def num_batches(self):
        return self.py_dataset.num_batches

    def _order(self):
        n = self.py_dataset.num_batches
        if n is None:
            return itertools.count(self._resume_at)
        order = list(range(n))
        if self.shuffle:
            random.Random(self._epoch).shuffle(order)
        return order

    def on_epoch_begin(self):
        self.py_dataset.on_epoch_begin()
        if self._fetcher is not None and not self._fetcher.running:
            self._fetcher.start(self._order())  # prefetching starts before the first request

    def get_numpy_iterator(self):
        if self._fetcher is None:
            pairs = ((i, self.py_dataset[i]) for i in self._order())
        else:
            if not self._fetcher.running:
                self._fetcher.start(self._order())
            pairs = iter(self._fetcher)
        for i, batch in pairs:
            self._resume_at = i + 1
            yield du.standardize_batch(batch, "PyDataset")

    def on_epoch_end(self):
        if self._fetcher is not None:
            self._fetcher.stop()
        self.py_dataset.on_epoch_end()
        self._epoch += 1

    def close(self):
        if self._fetcher is not None:
            self._fetcher.stop()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
