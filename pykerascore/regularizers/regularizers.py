"""Weight and activity regularizers with Keras 3 names, defaults and formulas:
L1 (l1 * sum|x|), L2 (l2 * sum x^2), L1L2, OrthogonalRegularizer. `__call__(x)` emits
pykerascore.ops, so it works on traced tensors (a penalty inside a training program), on
Variables and on arrays (evaluated eagerly); it never computes in NumPy."""

import math

import numpy as np

from pykerascore import ops
from pykerascore.ops.core import float_dtype


def validate_float_arg(value, name):
    if (isinstance(value, bool) or not isinstance(value, (float, int)) or math.isinf(value) or math.isnan(value)
            or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float.Received: {name}={value}")
    return float(value)


def _scalar(penalty):
    """Eager results come back as arrays; a 0-d operand can come back 1-d from the eager path
    (backend/symbolic._eager makes inputs contiguous with ascontiguousarray, which is >= 1-d),
    so eager penalties are reshaped to the scalar they are."""
    return penalty.reshape(()) if isinstance(penalty, np.ndarray) else penalty


def _factor(value, x):
    """The penalty factor in x's float dtype, as Keras casts it."""
    return np.asarray(value, dtype=float_dtype(x))


class Regularizer:
    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        # Only the non-zero terms are computed (Keras adds them to a zero of x's dtype).
        terms = []
        if self.l1 != 0.0:
            terms.append(ops.multiply(_factor(self.l1, x), ops.sum(ops.abs(x))))
        if self.l2 != 0.0:
            terms.append(ops.multiply(_factor(self.l2, x), ops.sum(ops.square(x))))
        if not terms:
            return np.zeros((), dtype=float_dtype(x))
        return _scalar(terms[0] if len(terms) == 1 else ops.add(terms[0], terms[1]))

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01):
        # Keras keeps l1 as a float32 tensor, so its config reports the float32 value.
        self.l1 = float(np.float32(validate_float_arg(0.01 if l1 is None else l1, name="l1")))

    def __call__(self, x):
        return _scalar(ops.multiply(_factor(self.l1, x), ops.sum(ops.abs(x))))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        return _scalar(ops.multiply(_factor(self.l2, x), ops.sum(ops.square(x))))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    def __init__(self, factor=0.01, mode="rows"):
        validate_float_arg(factor, name="factor")
        self.factor = float(np.float32(factor))
        if mode not in {"rows", "columns"}:
            raise ValueError(f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs):
        shape = ops.shape(inputs)
        if len(shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={tuple(shape)}")
        # Mean absolute cosine between distinct rows (or columns), times factor / 2, as Keras:
        # L2-normalise (x / sqrt(max(sum x^2, epsilon^2)), epsilon = 1e-7), Gram matrix with the
        # diagonal masked out.
        axis = 1 if self.mode == "rows" else 0
        dtype = float_dtype(inputs)
        norm = ops.sqrt(ops.maximum(ops.sum(ops.square(inputs), axis=axis, keepdims=True), np.asarray(1e-14, dtype)))
        unit = ops.divide(inputs, norm)
        if self.mode == "rows":
            product, size = ops.matmul(unit, ops.transpose(unit)), shape[0]
        else:
            product, size = ops.matmul(ops.transpose(unit), unit), shape[1]
        off_diagonal = ops.multiply(product, np.asarray(1.0 - np.eye(size), dtype=dtype))
        num_pairs = size * (size - 1.0) / 2.0
        total = ops.sum(ops.abs(off_diagonal))
        return _scalar(ops.divide(ops.multiply(total, np.asarray(self.factor * 0.5, dtype)), np.asarray(num_pairs, dtype)))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
