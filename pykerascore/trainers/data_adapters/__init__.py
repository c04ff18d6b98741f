"""Data adapters: one class per input kind, and `get_data_adapter()`, the one place that picks
the class and owns the "not supported for this input" errors.

Arguments owned here: x, y, sample_weight, batch_size, steps_per_epoch (for batch streams),
shuffle, class_weight (carried for the trainer, never applied here), workers,
use_multiprocessing, max_queue_size. The array adapter hands whole arrays to the engine.
"""

import types
import warnings

from pykerascore.trainers.data_adapters import data_adapter_utils as du
from pykerascore.trainers.data_adapters.array_data_adapter import ArrayDataAdapter, train_validation_split  # noqa: F401
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter
from pykerascore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight  # noqa: F401
from pykerascore.trainers.data_adapters.generator_data_adapter import GeneratorDataAdapter
from pykerascore.trainers.data_adapters.iterable_data_adapter import IterableDataAdapter
from pykerascore.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter
from pykerascore.utils import tree
from pykerascore.utils.py_dataset import PyDataset


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None, shuffle=False,
                     class_weight=None, workers=1, use_multiprocessing=False, max_queue_size=10):
    if isinstance(x, DataAdapter):
        return x
    du.check_no_namedtuple(x, "`x`")  # D4, before a namedtuple is mistaken for a list of inputs
    du.check_no_namedtuple(y, "`y`")

    if isinstance(x, PyDataset):
        _refuse_y_and_sample_weight(y, sample_weight, "PyDataset")
        if shuffle and x.num_batches is None:
            _warn_shuffle_ignored("an endless PyDataset", "already be shuffled")
        # fit's Keras 2 arguments apply when set away from their defaults (D8); otherwise the
        # dataset's own constructor settings hold.
        return PyDatasetAdapter(
            x, shuffle=shuffle, class_weight=class_weight,
            workers=None if workers == 1 else workers,
            use_multiprocessing=None if use_multiprocessing is False else use_multiprocessing,
            max_queue_size=None if max_queue_size == 10 else max_queue_size,
        )

    if _is_iterator(x):
        _refuse_y_and_sample_weight(y, sample_weight, "generator")
        steps = _check_steps(steps_per_epoch)
        if shuffle:
            _warn_shuffle_ignored("a generator", "yield already-shuffled data")
        return GeneratorDataAdapter(x, steps_per_epoch=steps, class_weight=class_weight, workers=workers,
                                    use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)

    if ArrayDataAdapter.can_handle(x, y, sample_weight):
        # steps_per_epoch only sizes batches when batch_size is missing (the trainer owns steps).
        return ArrayDataAdapter(x, y, sample_weight=sample_weight, batch_size=batch_size, steps=steps_per_epoch,
                                shuffle=shuffle, class_weight=class_weight)

    if _is_batch_iterable(x):
        kind = ("tf.data.Dataset" if du.is_tf_dataset(x) else
                "torch DataLoader" if du.is_torch_dataloader(x) else "iterable")
        _refuse_y_and_sample_weight(y, sample_weight, kind)
        steps = _check_steps(steps_per_epoch)
        if shuffle:
            _warn_shuffle_ignored(f"a {kind}", "already be shuffled")
        return IterableDataAdapter(x, steps_per_epoch=steps, class_weight=class_weight)

    if x is None:
        raise ValueError("Expected input data to be non-empty: `x` is None.")
    bad = sorted({type(a).__name__ for a in [x] + tree.flatten(x) + tree.flatten(y) + tree.flatten(sample_weight)
                  if not du.is_array_like(a) and not isinstance(a, (list, tuple, dict))})
    raise ValueError(
        f"Unrecognized data type: x of type {type(x).__name__} (unsupported element types: {bad}). pykerascore "
        "accepts NumPy arrays and array-likes (lists/dicts of them, pandas DataFrame/Series), Python generators, "
        "`utils.PyDataset`, and iterables of batches such as a torch DataLoader or a tf.data.Dataset."
    )


def _is_iterator(x):
    return isinstance(x, types.GeneratorType) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__") and not du.is_array_like(x))


def _is_batch_iterable(x):
    return (hasattr(x, "__iter__") and not isinstance(x, (list, tuple, dict, str, bytes))
            and not du.is_array_like(x))


def _check_steps(steps):
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, int) or not (steps > 0 or steps == -1):
        raise ValueError(f"`steps_per_epoch` must be a positive integer, -1 (run forever) or None. Received: {steps!r}")
    return steps


def _refuse_y_and_sample_weight(y, sample_weight, input_type):
    if y is not None:
        du.raise_unsupported_arg("y", "the targets", input_type)
    if sample_weight is not None:
        du.raise_unsupported_arg("sample_weights", "the sample weights", input_type)


def _warn_shuffle_ignored(what, expectation):
    warnings.warn(
        f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as {what}. "
        f"It is expected to {expectation}.",
        stacklevel=3,
    )
