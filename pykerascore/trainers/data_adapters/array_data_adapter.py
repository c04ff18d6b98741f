"""Array adapter: NumPy arrays and array-likes (pandas, torch tensors, lists/dicts of them),
validated once and handed whole to the engine, which gathers each batch by index.

Also `train_validation_split` (Keras's `validation_split`: the last fraction, before shuffling).
Batches are sliced in Python only by `get_numpy_iterator()`, the eager (run_eagerly) path.
"""

import math

import numpy as np

from pykerascore.trainers.data_adapters import data_adapter_utils as du
from pykerascore.trainers.data_adapters.data_adapter import DataAdapter
from pykerascore.utils import tree


def can_convert_arrays(*structures):
    return all(du.is_array_like(leaf) for s in structures for leaf in tree.flatten(s))


class ArrayDataAdapter(DataAdapter):
    is_array = True

    @staticmethod
    def can_handle(x, y=None, sample_weight=None):
        return x is not None and can_convert_arrays(x, y, sample_weight)

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                 class_weight=None):
        if x is None:
            raise ValueError("Expected input data to be non-empty: `x` is None.")
        if sample_weight is not None and class_weight is not None:
            raise ValueError("You cannot pass `class_weight` and `sample_weight` at the same time.")
        _check_sample_weight_structure(y, sample_weight)
        # Convert each leaf once (pandas via to_numpy, float16 -> float32...); the structures keep
        # the converted arrays so nothing downstream converts again.
        self.x_struct = du.checked_structure(x, "x")
        self.y_struct = du.checked_structure(y, "y")
        self.x = tree.flatten(self.x_struct)
        self.y = tree.flatten(self.y_struct) if y is not None else []
        self.sample_weight = du.checked_structure(sample_weight, "sample_weight")
        self.class_weight = class_weight
        self.shuffle = shuffle
        # `x` may be reordered by the trainer (model input order); the eager iterator keeps its own.
        self._x_flat = list(self.x)
        self.num_samples = self._check_cardinality(x, y, sample_weight)
        if self.num_samples == 0:
            raise ValueError("Expected input data to be non-empty (received 0 samples).")
        if not batch_size:
            # Keras: batch size from the step count when only steps are given, else 32. A bool
            # here is a `shuffle` flag passed positionally by an older caller, never a step count.
            ok_steps = isinstance(steps, (int, np.integer)) and not isinstance(steps, bool) and steps > 0
            batch_size = math.ceil(self.num_samples / steps) if ok_steps else 32
        self._batch_size = int(batch_size)
        self._epoch = 0

    def _check_cardinality(self, x, y, sample_weight):
        named = (du.named_leaves(self.x_struct, "x") + (du.named_leaves(self.y_struct, "y") if y is not None else [])
                 + (du.named_leaves(self.sample_weight, "sample_weight") if sample_weight is not None else []))
        named = [(n, a) for n, a in named if a is not None]
        sizes = {a.shape[0] for _, a in named}
        if len(sizes) > 1:
            detail = ", ".join(f"{n}: {a.shape[0]}" for n, a in named)
            raise ValueError(
                "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                f"Sizes: {detail}"
            )
        return sizes.pop() if sizes else 0

    # -------------------------------------------------------------- interface
    @property
    def num_batches(self):
        return -(-self.num_samples // self._batch_size)

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def has_partial_batch(self):
        return self.num_samples % self._batch_size != 0

    def arrays(self):
        return self.x, self.y, self.sample_weight

    def get_numpy_iterator(self):
        """Batches for the eager path, in Keras's order: shuffle=True permutes all rows with a
        seed of the epoch number, shuffle="batch" permutes rows within each batch."""
        rng = np.random.default_rng(self._epoch)
        perm = rng.permutation(self.num_samples) if self.shuffle and self.shuffle != "batch" else None
        x_template = tree.pack_sequence_as(self.x_struct, self._x_flat)
        for i in range(self.num_batches):
            start, stop = i * self._batch_size, min((i + 1) * self._batch_size, self.num_samples)
            if self.shuffle == "batch":
                idx = np.random.default_rng(self._epoch + i).permutation(stop - start) + start
            elif perm is not None:
                idx = perm[start:stop]
            else:
                idx = slice(start, stop)
            take = (lambda a: None if a is None else a[idx])
            yield (tree.map_structure(take, x_template),
                   None if self.y_struct is None else tree.map_structure(take, self.y_struct),
                   None if self.sample_weight is None else tree.map_structure(take, self.sample_weight))

    def on_epoch_end(self):
        self._epoch += 1


def _check_sample_weight_structure(y, sample_weight):
    """One weight array per output when both are nested; a single array is left single (the
    trainer applies it to every output)."""
    if not isinstance(sample_weight, (list, tuple, dict)):
        return
    if y is not None and tree.is_nested(y):
        same = (len(tree.flatten(y)) == len(tree.flatten(sample_weight))
                and (not isinstance(y, dict) or (isinstance(sample_weight, dict) and set(y) == set(sample_weight))))
        if same:
            return
    raise ValueError(
        "You should provide one `sample_weight` array per output in `y`. The two structures did not match: "
        f"y: {_describe(y)}; sample_weight: {_describe(sample_weight)}"
    )


def _describe(struct):
    if struct is None:
        return "None"
    return str(tree.map_structure(lambda a: f"<{type(a).__name__} {getattr(a, 'shape', '')}>".replace(" >", ">"), struct))


def train_validation_split(arrays, validation_split):
    """(train, validation) copies of the structure `arrays` (e.g. `(x, y, sample_weight)`): the
    LAST `validation_split` fraction of rows is validation, taken before any shuffling (Keras).
    Arrays only: generators, datasets and other inputs raise ValueError."""
    if isinstance(validation_split, bool) or not 0.0 < float(validation_split) < 1.0:
        raise ValueError(f"`validation_split` must be a float between 0 and 1. Received: {validation_split}")
    du.check_no_namedtuple(arrays, "The data to split")
    flat = tree.flatten(arrays)
    bad = sorted({type(a).__name__ for a in flat if not du.is_array_like(a)})
    if bad:
        raise ValueError(
            "Argument `validation_split` is only supported for NumPy arrays, array-likes and pandas objects; "
            f"found incompatible type(s) in the input: {bad}. Pass `validation_data` instead."
        )
    flat = [du.to_numpy(a) for a in flat]
    sizes = {a.shape[0] for a in flat if a is not None}
    if not sizes:
        return arrays, arrays
    if len(sizes) > 1:
        raise ValueError(f"Cannot split arrays with different numbers of samples: {sorted(sizes)}")
    n = sizes.pop()
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a validation and "
            f"training set as specified by `validation_split={validation_split}`. Either provide more data, or a "
            "different value for the `validation_split` argument."
        )
    train = [None if a is None else a[:split_at] for a in flat]
    val = [None if a is None else a[split_at:] for a in flat]
    return tree.pack_sequence_as(arrays, train), tree.pack_sequence_as(arrays, val)
