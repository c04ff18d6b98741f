"""Element-wise math, matmul and shape ops of pykerascore.ops."""

import numpy as np

from pykerascore.backend.symbolic import KerasTensor, emit


__all__ = ['shape', 'add', 'subtract', 'multiply', 'divide', 'negative', 'matmul', 'cast', 'reshape', 'squeeze', 'expand_dims']


def shape(x):
    return tuple(x.shape) if isinstance(x, KerasTensor) else np.shape(x)


def add(x1, x2):
    return emit("add", [x1, x2])


def subtract(x1, x2):
    return emit("subtract", [x1, x2])


def multiply(x1, x2):
    return emit("multiply", [x1, x2])


def divide(x1, x2):
    return emit("divide", [x1, x2])


def negative(x):
    return emit("negative", [x])


def matmul(x1, x2):
    return emit("matmul", [x1, x2])


def cast(x, dtype):
    dtype = str(np.dtype(dtype))
    if isinstance(x, KerasTensor) and x.dtype == dtype:
        return x
    return emit("cast", [x], {"dtype": dtype})


def _target(dims):
    # Unknown (batch) dims become -1, which reshape infers at run time.
    dims = [-1 if d is None else int(d) for d in dims]
    if dims.count(-1) > 1:
        raise ValueError(f"Cannot reshape to {tuple(dims)}: more than one unknown dimension")
    return dims


def reshape(x, newshape):
    if isinstance(newshape, int):
        newshape = (newshape,)
    return emit("reshape", [x], {"shape": _target(newshape)})


def squeeze(x, axis=None):
    s = list(shape(x))
    if axis is None:
        keep = [d for d in s if d != 1]
    else:
        axes = [axis] if isinstance(axis, int) else list(axis)
        axes = [a % len(s) for a in axes]
        for a in axes:
            if s[a] not in (1, None):
                raise ValueError(f"Cannot squeeze axis {a} of shape {tuple(s)}: its size is {s[a]}, not 1")
        keep = [d for i, d in enumerate(s) if i not in axes]
    return reshape(x, keep)


def expand_dims(x, axis):
    s = list(shape(x))
    axis = axis if axis >= 0 else len(s) + 1 + axis
    s.insert(axis, 1)
    return reshape(x, s)
