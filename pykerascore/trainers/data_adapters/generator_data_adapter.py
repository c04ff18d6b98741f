"""Generator adapter: Python generators and other one-shot iterators yielding batches
(`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; namedtuples refused, D4).

The stream is consumed once across epochs: an epoch takes `steps_per_epoch` batches when
given, else runs to exhaustion. The first batch can be peeked (for shapes) without losing it;
an empty generator raises ValueError when the first batch is requested (D5). With workers > 1
(or use_multiprocessing) one background thread prefetches up to max_queue_size batches.
"""

import warnings

from pykerascore.trainers.data_adapters import data_adapter_utils as du
from pykerascore.trainers.data_adapters import prefetch
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter

_UNSET = object()


class GeneratorDataAdapter(DataAdapter):
    def __init__(self, generator, steps_per_epoch=None, class_weight=None, workers=1, use_multiprocessing=False,
                 max_queue_size=10):
        self.generator = generator
        self.class_weight = class_weight
        self._steps = steps_per_epoch if steps_per_epoch is not None and steps_per_epoch > 0 else None
        self._background = prefetch.check_parallelism(workers, use_multiprocessing, max_queue_size)
        if self._background and use_multiprocessing:
            # A generator's state cannot be split across processes without repeating batches
            # (Keras 2's foot-gun); a thread keeps one ordered stream and still overlaps work.
            warnings.warn(
                "`use_multiprocessing=True` has no effect for a Python generator: a generator cannot be shared "
                "between processes. Its batches are prefetched on a background thread instead; use a "
                "`utils.PyDataset` for multiprocessing.",
                stacklevel=3,
            )
        self.max_queue_size = max_queue_size
        self._stream = (du.standardize_batch(b, "generator") for b in generator)
        self._source = None
        self._first = _UNSET
        self._first_delivered = False

    @property
    def num_batches(self):
        return self._steps

    def peek(self):
        """The first batch as (x, y, sample_weight), kept for the first epoch."""
        if self._first is _UNSET:
            try:
                self._first = next(self._stream)
            except StopIteration:
                raise ValueError(
                    "The Python generator yielded no batches: expected non-empty input data. When passing a "
                    "generator to fit/evaluate/predict it must yield at least one batch."
                ) from None
        return self._first

    def _ensure_source(self):
        # Started only after the peek: the generator must never be advanced by two threads.
        if self._source is None:
            self._source = prefetch.BackgroundIterator(self._stream, self.max_queue_size) \
                if self._background else self._stream
        return self._source

    def get_numpy_iterator(self):
        count = 0
        if not self._first_delivered:
            first = self.peek()
            self._ensure_source()  # prefetching overlaps with the consumer's first batch
            self._first_delivered = True
            self._first = None  # free it; the batch now belongs to the consumer
            count = 1
            yield first
        while self._steps is None or count < self._steps:
            try:
                batch = next(self._ensure_source())
            except StopIteration:
                return
            count += 1
            yield batch

    def close(self):
        if isinstance(self._source, prefetch.BackgroundIterator):
            self._source.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
