"""Helpers shared by the data adapters: turning one leaf into a checked NumPy array, naming the
leaves of a structure, unpacking a batch into (x, y, sample_weight), and recognising input kinds.

Knows nothing of models or of the engine; imports no framework (torch, tensorflow, pandas) at
module level -- they are recognised by their class's module name so they stay optional.
"""

import numpy as np

from pykerascore.utils import tree


# ---------------------------------------------------------------------------- recognising inputs
def _module_of(x):
    return type(x).__module__ or ""


def is_pandas(x):
    return _module_of(x).startswith("pandas") and hasattr(x, "to_numpy")


def _mro_has(x, names, module_part):
    return any(c.__name__ in names and module_part in (c.__module__ or "") for c in type(x).__mro__)


def is_torch_dataloader(x):
    return _mro_has(x, ("DataLoader",), "torch.utils.data")


def is_tf_dataset(x):
    return _mro_has(x, ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction"), "tensorflow.python.")


def is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_array_like(x):
    """A leaf the array adapter can take whole: NumPy arrays, anything with `__array__`
    (torch / JAX tensors...), pandas objects, cupy arrays, or a missing entry (None)."""
    return (
        x is None
        or isinstance(x, np.ndarray)
        or hasattr(x, "__array__")
        or is_pandas(x)
        or _module_of(x).startswith("cupy")
    )


def check_no_namedtuple(data, what):
    """D4: namedtuples look like (x, y, sample_weight) tuples but are meant as records; refusing
    them beats guessing which reading the user meant."""
    for item in _walk(data):
        if is_namedtuple(item):
            raise ValueError(
                f"{what} is (or contains) a namedtuple of type {type(item).__name__} with fields "
                f"{list(type(item)._fields)}. namedtuples are not supported as data: convert it to a plain "
                "tuple `(x, y, sample_weight)` or to a dict keyed by input name, e.g. `item._asdict()`."
            )


def _walk(data):
    yield data
    if isinstance(data, dict):
        for v in data.values():
            yield from _walk(v)
    elif isinstance(data, (list, tuple)):
        for v in data:
            yield from _walk(v)


# ---------------------------------------------------------------------------- leaves to NumPy
def named_leaves(struct, prefix):
    """[(name, leaf)] in `tree.flatten` order, named like `x`, `x[0]`, `y['out']`."""
    if isinstance(struct, dict):
        return [nl for k in sorted(struct) for nl in named_leaves(struct[k], f"{prefix}[{k!r}]")]
    if isinstance(struct, (list, tuple)):
        return [nl for i, v in enumerate(struct) for nl in named_leaves(v, f"{prefix}[{i}]")]
    return [(prefix, struct)]


def to_numpy(a):
    """One leaf as a NumPy array, without checks: pandas via `to_numpy()`, torch tensors via
    `.detach().cpu().numpy()`, TF eager tensors via `.numpy()`, cupy via `.get()`."""
    if a is None or isinstance(a, np.ndarray):
        return a
    if is_pandas(a):
        return a.to_numpy()
    mod = _module_of(a)
    if mod.startswith("torch"):
        return a.detach().cpu().numpy()
    if mod.startswith("cupy"):
        return a.get()
    if mod.startswith("tensorflow") and hasattr(a, "numpy"):
        return a.numpy()
    return np.asarray(a)


def checked_array(a, what):
    """`a` as a numeric NumPy array with a batch dimension and contiguous rows (the engine
    gathers rows by index). bool/int/float dtypes are kept; float16 becomes float32 because
    the engine has no float16 gather. Raises ValueError naming `what`."""
    if a is None:
        return None
    arr = to_numpy(a)
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


def checked_structure(struct, prefix):
    """The same structure with every leaf through `checked_array` (None stays None)."""
    if struct is None:
        return None
    leaves = named_leaves(struct, prefix)
    return tree.pack_sequence_as(struct, [checked_array(a, name) for name, a in leaves])


# ---------------------------------------------------------------------------- batches
def unpack_x_y_sample_weight(data):
    """F3, as Keras: a tuple (or list, since torch's default collate turns tuples into lists) of
    1, 2 or 3 items is (x,), (x, y) or (x, y, sample_weight); anything else is x alone."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found a "
        f"{type(data).__name__} of {len(data)} items."
    )


def standardize_batch(batch, source):
    """One yielded batch as (x, y, sample_weight) of checked NumPy structures."""
    check_no_namedtuple(batch, f"A batch yielded by the {source}")
    x, y, sw = unpack_x_y_sample_weight(batch)
    if x is None:
        raise ValueError(f"A batch yielded by the {source} has no inputs (x is None).")
    return checked_structure(x, "x"), checked_structure(y, "y"), checked_structure(sw, "sample_weight")


def raise_unsupported_arg(arg_name, arg_description, input_type):
    raise ValueError(
        f"When providing `x` as a {input_type}, `{arg_name}` should not be passed. Instead, "
        f"{arg_description} should be included as part of the {input_type}."
    )
