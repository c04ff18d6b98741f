"""Array adapter: NumPy arrays and array-likes (and lists/dicts of them), validated once and
handed whole to the engine. Rows must be contiguous; other layouts are copied once."""

import numpy as np

from pykerascore.utils import tree


def _as_array(a, what):
    if a is None:
        return None
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{what} must be numeric (float, int or bool), but received an array of dtype {arr.dtype}"
            + (f" with first element {arr.flat[0]!r}" if arr.size else "")
        )
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch dimension; received a scalar")
    if arr.dtype == np.float16:
        arr = arr.astype("float32")
    return arr if _rows_contiguous(arr) else np.ascontiguousarray(arr)


def _rows_contiguous(arr):
    step = arr.itemsize
    for d in range(arr.ndim - 1, 0, -1):
        if arr.strides[d] != step:
            return False
        step *= arr.shape[d]
    return True


class ArrayDataAdapter:
    @staticmethod
    def can_handle(x, y=None):
        leaves = tree.flatten(x) + (tree.flatten(y) if y is not None else [])
        return all(l is None or isinstance(l, (np.ndarray, list, tuple, int, float)) or hasattr(l, "__array__") for l in leaves)

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False):
        self.x_struct = x
        self.y_struct = y
        self.x = [_as_array(a, f"x[{i}]" if isinstance(x, (list, tuple, dict)) else "x") for i, a in enumerate(tree.flatten(x))]
        self.y = [_as_array(a, f"y[{i}]" if isinstance(y, (list, tuple, dict)) else "y") for i, a in enumerate(tree.flatten(y))] if y is not None else []
        self.sample_weight = _as_array(sample_weight, "sample_weight") if sample_weight is not None else None
        self.batch_size = batch_size
        self.shuffle = shuffle
        arrays = [("x", a) for a in self.x] + [("y", a) for a in self.y]
        if self.sample_weight is not None:
            arrays.append(("sample_weight", self.sample_weight))
        sizes = {name_i: a.shape[0] for name_i, a in arrays}
        counts = sorted({a.shape[0] for _, a in arrays})
        if len(counts) > 1:
            detail = ", ".join(f"{n} sizes: {[a.shape[0] for m, a in arrays if m == n]}" for n in dict(sizes))
            raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. {detail}")
        self.num_samples = counts[0] if counts else 0
        if self.num_samples == 0:
            raise ValueError("Expected input data to be non-empty (received 0 samples).")

    def num_batches(self, batch_size):
        return -(-self.num_samples // batch_size)
