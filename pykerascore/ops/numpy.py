"""Element-wise math, comparisons, reductions, matmul and shape ops of pykerascore.ops, with
Keras 3 `keras.ops` names, signatures and dtype rules. Each function emits native ops: traced
into the graph on symbolic tensors, run eagerly on arrays. No math is done in Python here.
"""

import builtins

import numpy as np

from pykerascore.backend.symbolic import KerasTensor, emit
from pykerascore.ops.core import align, convert, dtype_of, float_dtype, graph_of, result_dtype


__all__ = [
    'shape', 'add', 'subtract', 'multiply', 'divide', 'true_divide', 'negative', 'power',
    'maximum', 'minimum', 'concatenate',
    'square', 'sqrt', 'exp', 'log', 'log1p', 'abs', 'absolute', 'sign', 'clip',
    'where', 'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal',
    'logical_and', 'logical_or', 'logical_not', 'logical_xor',
    'sum', 'mean', 'max', 'min', 'argmax', 'argmin',
    'transpose', 'one_hot', 'dot', 'matmul', 'cast', 'reshape', 'squeeze', 'expand_dims',
]


def shape(x):
    return tuple(x.shape) if isinstance(x, KerasTensor) else tuple(np.shape(x))


def _ndim(x):
    return len(shape(x))


# ----------------------------------------------------------------------------- arithmetic
def _binary(op, x1, x2, dtype=None):
    a, b = align(x1, x2, dtype=dtype)
    return emit(op, [a, b])


def add(x1, x2):
    return _binary("add", x1, x2)


def subtract(x1, x2):
    return _binary("subtract", x1, x2)


def multiply(x1, x2):
    return _binary("multiply", x1, x2)


def divide(x1, x2):
    # True division: integer operands give float32, as in Keras.
    return _binary("divide", x1, x2, dtype=float_dtype_of(x1, x2))


def true_divide(x1, x2):
    return divide(x1, x2)


def float_dtype_of(*xs):
    dt = result_dtype(*xs)
    return dt if dt.startswith("float") else "float32"


def power(x1, x2):
    # The native power is float-only; integer operands compute in float32 and cast back, as
    # Keras returns the integer result dtype.
    out = _binary("power", x1, x2, dtype=float_dtype_of(x1, x2))
    dt = result_dtype(x1, x2)
    return out if dt.startswith("float") else cast(out, dt)


def negative(x):
    (x,) = align(x)
    return emit("negative", [x])


def maximum(x1, x2):
    return _binary("maximum", x1, x2)


def minimum(x1, x2):
    return _binary("minimum", x1, x2)


# ----------------------------------------------------------------------------- unary math
def _float_unary(op, x, attrs=None):
    (x,) = align(x, dtype=float_dtype(x))
    return emit(op, [x], attrs)


def square(x):
    (x,) = align(x)
    if dtype_of(x) == "bool":
        (x,) = align(x, dtype="int32")
    return emit("square", [x])


def sqrt(x):
    return _float_unary("sqrt", x)


def exp(x):
    return _float_unary("exp", x)


def log(x):
    return _float_unary("log", x)


def log1p(x):
    return _float_unary("log1p", x)


def abs(x):
    (x,) = align(x)
    return x if dtype_of(x) == "bool" else emit("abs", [x])


absolute = abs


def sign(x):
    (x,) = align(x)
    if dtype_of(x) == "bool":
        (x,) = align(x, dtype="int32")
    return emit("sign", [x])


def clip(x, x_min, x_max):
    (x,) = align(x)
    if dtype_of(x) == "bool":
        (x,) = align(x, dtype="int32")
    return emit("clip", [x], {"min": float(x_min), "max": float(x_max)})


# ----------------------------------------------------------------------------- comparisons
def _compare(op, x1, x2):
    a, b = align(x1, x2)
    return emit(op, [a, b])


def equal(x1, x2):
    return _compare("equal", x1, x2)


def not_equal(x1, x2):
    return _compare("not_equal", x1, x2)


def greater(x1, x2):
    return _compare("greater", x1, x2)


def greater_equal(x1, x2):
    return _compare("greater_equal", x1, x2)


def less(x1, x2):
    return _compare("less", x1, x2)


def less_equal(x1, x2):
    return _compare("less_equal", x1, x2)


def _as_bool(x):
    # Truthiness as a comparison: the native cast has no bool target.
    if dtype_of(x) == "bool":
        return convert(x, "bool", graph_of(x))
    if dtype_of(x) is None:
        return convert(bool(x), "bool", graph_of(x))
    return not_equal(x, 0)


def logical_and(x1, x2):
    return emit("logical_and", [_as_bool(x1), _as_bool(x2)])


def logical_or(x1, x2):
    return emit("logical_or", [_as_bool(x1), _as_bool(x2)])


def logical_xor(x1, x2):
    return emit("logical_xor", [_as_bool(x1), _as_bool(x2)])


def logical_not(x):
    return emit("logical_not", [_as_bool(x)])


def where(condition, x1=None, x2=None):
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value.")
    if x1 is None:
        raise NotImplementedError("where(condition) without x1/x2 (nonzero indices) has a data-dependent shape")
    a, b = align(x1, x2)
    return emit("where", [_as_bool(condition), a, b])


# ----------------------------------------------------------------------------- reductions
def _axis_attrs(x, axis, keepdims):
    attrs = {"keepdims": bool(keepdims)}
    if axis is not None:
        attrs["axis"] = [int(axis)] if isinstance(axis, (int, np.integer)) else [int(a) for a in axis]
    return attrs


def sum(x, axis=None, keepdims=False):
    (x,) = align(x)
    if dtype_of(x) in ("bool", "int8", "uint8"):
        (x,) = align(x, dtype="int32")
    return emit("sum", [x], _axis_attrs(x, axis, keepdims))


def mean(x, axis=None, keepdims=False):
    # Integer and bool inputs give a float32 mean, as in Keras.
    return emit("mean", [align(x, dtype=float_dtype(x))[0]], _axis_attrs(x, axis, keepdims))


def _extremum(op, x, axis, keepdims, initial):
    (x,) = align(x)
    out = emit(op, [x], _axis_attrs(x, axis, keepdims))
    if initial is not None:
        out = (maximum if op == "max" else minimum)(out, initial)
    return out


def max(x, axis=None, keepdims=False, initial=None):
    return _extremum("max", x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):
    return _extremum("min", x, axis, keepdims, initial)


def _arg(op, x, axis, keepdims):
    (x,) = align(x)
    if axis is None:
        out = emit(op, [reshape(x, (-1,))], {"axis": 0})
        return reshape(out, (1,) * _ndim(x)) if keepdims else out
    return emit(op, [x], {"axis": int(axis), "keepdims": bool(keepdims)})


def argmax(x, axis=None, keepdims=False):
    return _arg("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg("argmin", x, axis, keepdims)


# ----------------------------------------------------------------------------- shape ops
def concatenate(xs, axis=0):
    xs = list(xs)
    if not xs:
        raise ValueError("concatenate needs at least one tensor")
    xs = align(*xs)
    if axis is None:
        xs, axis = [reshape(x, (-1,)) for x in xs], 0
    return emit("concatenate", xs, {"axis": int(axis)})


def transpose(x, axes=None):
    (x,) = align(x)
    attrs = {} if axes is None else {"axes": [int(a) for a in axes]}
    return emit("transpose", [x], attrs)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("sparse one_hot is not supported")
    (x,) = align(x)
    if not dtype_of(x).startswith(("int", "uint")):
        (x,) = align(x, dtype="int32")
    return emit("one_hot", [x], {"num_classes": int(num_classes), "axis": int(axis),
                                 "dtype": str(np.dtype(dtype or "float32"))})


def cast(x, dtype):
    dtype = str(np.dtype(dtype))
    if isinstance(x, KerasTensor) and x.dtype == dtype:
        return x
    if dtype == "bool" and dtype_of(x) != "bool":
        return not_equal(x, 0)  # the native cast has no bool target
    return emit("cast", [x], {"dtype": dtype})


def _target(dims):
    # Unknown (batch) dims become -1, which reshape infers at run time.
    dims = [-1 if d is None else int(d) for d in dims]
    if dims.count(-1) > 1:
        raise ValueError(f"Cannot reshape to {tuple(dims)}: more than one unknown dimension")
    return dims


def reshape(x, newshape):
    if isinstance(newshape, (int, np.integer)):
        newshape = (newshape,)
    return emit("reshape", [x], {"shape": _target(newshape)})


def squeeze(x, axis=None):
    s = list(shape(x))
    if axis is None:
        keep = [d for d in s if d != 1]
    else:
        axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
        for a in axes:
            if not -len(s) <= a < len(s):
                raise ValueError(f"Cannot squeeze axis {a}: out of range for shape {tuple(s)}")
        axes = [a % len(s) for a in axes]
        for a in axes:
            if s[a] not in (1, None):
                raise ValueError(f"Cannot squeeze axis {a} of shape {tuple(s)}: its size is {s[a]}, not 1")
        keep = [d for i, d in enumerate(s) if i not in axes]
    return reshape(x, keep)


def expand_dims(x, axis):
    s = list(shape(x))
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out_rank = len(s) + len(axes)
    norm = sorted(a % out_rank if -out_rank <= a < out_rank else _bad_axis(a, out_rank) for a in axes)
    for a in norm:
        s.insert(a, 1)
    return reshape(x, s)


def _bad_axis(a, rank):
    raise ValueError(f"axis {a} is out of range for an expanded rank of {rank}")


# ----------------------------------------------------------------------------- matmul / dot
def matmul(x1, x2):
    """NumPy matmul: 2-D @ 2-D is the `matmul` op; 1-D operands are promoted and squeezed back;
    any rank >= 3 goes to `batch_matmul` (batch dims broadcast)."""
    a, b = align(x1, x2, dtype=float_dtype_of(x1, x2))
    ra, rb = _ndim(a), _ndim(b)
    if ra == 0 or rb == 0:
        raise ValueError(f"matmul does not accept scalars: shapes {shape(a)} and {shape(b)}")
    if ra == 1:
        a = reshape(a, (1, shape(a)[0]))
    if rb == 1:
        b = reshape(b, (shape(b)[0], 1))
    op = "matmul" if builtins.max(_ndim(a), _ndim(b)) == 2 else "batch_matmul"
    out = emit(op, [a, b])
    if ra == 1:
        out = squeeze(out, -2)
    if rb == 1:
        out = squeeze(out, -1)
    return out


def dot(x1, x2):
    """NumPy dot: scalars multiply; 1-D with 1-D is the inner product; N-D with 1-D sums over
    the last axis; N-D with M-D (M >= 2) contracts x1's last axis with x2's second-to-last."""
    a, b = align(x1, x2, dtype=float_dtype_of(x1, x2))
    ra, rb = _ndim(a), _ndim(b)
    if ra == 0 or rb == 0:
        return multiply(a, b)
    if rb <= 2:
        return matmul(a, b) if ra <= 2 or rb == 1 else _dot_nd_2d(a, b)
    # Move x2's contracted axis (-2) to the front, flatten the rest, contract, unflatten.
    sb = shape(b)
    perm = [rb - 2] + [i for i in range(rb) if i != rb - 2]
    b2 = reshape(transpose(b, perm), (sb[-2], -1))
    lead = shape(a)[:-1] if ra > 1 else ()
    out = matmul(reshape(a, (-1, shape(a)[-1])), b2)
    return reshape(out, tuple(lead) + tuple(sb[:-2]) + (sb[-1],))


def _dot_nd_2d(a, b):
    lead = shape(a)[:-1]
    out = matmul(reshape(a, (-1, shape(a)[-1])), b)
    return reshape(out, tuple(lead) + (shape(b)[-1],))
