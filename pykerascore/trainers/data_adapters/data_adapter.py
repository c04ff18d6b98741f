"""The data adapter interface: what the trainer may ask of any input kind.

Arguments owned by adapters: x, y, sample_weight, batch_size, shuffle (and, for generator-like
inputs, workers / use_multiprocessing / max_queue_size). Adapters know nothing of models.

Two ways to deliver data:
- `is_array` adapters hand the whole arrays to the engine (`arrays()`), which gathers every
  batch by index in C++ -- nothing is sliced in Python.
- every other adapter yields batches (`get_numpy_iterator()`), each a tuple
  (x, y, sample_weight) of NumPy structures (y / sample_weight may be None); the trainer feeds
  each batch to the engine. Adapters may prefetch in the background.
"""


class DataAdapter:
    is_array = False

    @property
    def num_batches(self):
        """Batches per epoch, or None when unknown / endless."""
        raise NotImplementedError

    @property
    def batch_size(self):
        """Rows per batch when known, else None."""
        return None

    def arrays(self):
        """(x_list, y_list, sample_weight or None) of whole arrays; only when `is_array`."""
        raise TypeError(f"{type(self).__name__} does not hold arrays; iterate get_numpy_iterator()")

    def get_numpy_iterator(self):
        """Iterator over (x, y, sample_weight) batches for one epoch."""
        raise NotImplementedError

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def close(self):
        """Stops background workers, if any."""
