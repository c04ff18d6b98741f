"""Weight constraints with Keras 3 names, defaults and formulas: MaxNorm, NonNeg, UnitNorm,
MinMaxNorm (epsilon 1e-7 as Keras). `__call__(w)` emits pykerascore.ops (traced or eager);
in training the same projection runs natively inside the optimizer step (csrc/ops/constraints),
described to the engine by `native_spec()`. Nothing here runs per training step."""

import numpy as np

from pykerascore import ops
from pykerascore.ops.core import float_dtype

_EPSILON = 1e-7  # keras.config.epsilon()


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _axes(axis, rank):
    """Keras's `axis` (int, list or None for all) as the explicit list the engine takes."""
    if axis is None:
        return list(range(rank))
    return [int(axis)] if isinstance(axis, (int, np.integer)) else [int(a) for a in axis]


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def native_spec(self, shape):
        """(kind, params, axes) for the native optimizer, or None when this constraint has no
        native form (a user subclass)."""
        return None


def _eps(w):
    return np.asarray(_EPSILON, dtype=float_dtype(w))


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0, self.max_value)
        return ops.multiply(w, ops.divide(desired, ops.add(_eps(w), norms)))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}

    def native_spec(self, shape):
        return "max_norm", {"max_value": float(self.max_value)}, _axes(self.axis, len(shape))


class NonNeg(Constraint):
    def __call__(self, w):
        return ops.maximum(w, 0)

    def native_spec(self, shape):
        return "non_neg", {}, []


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return ops.divide(w, ops.add(_eps(w), _norms(w, self.axis)))

    def get_config(self):
        return {"axis": self.axis}

    def native_spec(self, shape):
        return "unit_norm", {}, _axes(self.axis, len(shape))


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        dtype = float_dtype(w)
        desired = ops.add(ops.multiply(np.asarray(self.rate, dtype), ops.clip(norms, self.min_value, self.max_value)),
                          ops.multiply(np.asarray(1 - self.rate, dtype), norms))
        return ops.multiply(w, ops.divide(desired, ops.add(_eps(w), norms)))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}

    def native_spec(self, shape):
        return ("min_max_norm", {"min_value": float(self.min_value), "max_value": float(self.max_value),
                                 "rate": float(self.rate)}, _axes(self.axis, len(shape)))
