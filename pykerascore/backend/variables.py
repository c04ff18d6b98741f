"""Keras-facing Variable: a Python handle over a native variable.

The memory lives in C++ (its own buffer, or a view into a model's flat parameter pack), so
`numpy()` returns a copy and `assign()` writes through. Used by layers, metrics, optimizers.
"""

import numpy as np

from pykerascore.backend import core


class Variable:
    def __init__(self, initializer=None, shape=None, dtype="float32", trainable=True, name="variable"):
        shape = tuple(int(d) for d in (shape if shape is not None else np.shape(initializer)))
        self._native = core.Variable(name, shape, str(np.dtype(dtype)), bool(trainable))
        self.name = name
        self.path = name
        if initializer is not None:
            value = initializer(shape, dtype=dtype) if callable(initializer) else initializer
            self.assign(value)

    @property
    def shape(self):
        return tuple(self._native.shape)

    @property
    def dtype(self):
        return self._native.dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def trainable(self):
        return self._native.trainable

    @trainable.setter
    def trainable(self, value):
        self._native.trainable = bool(value)

    @property
    def value(self):
        return self.numpy()

    def numpy(self):
        return self._native.numpy()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.shape and value.size != int(np.prod(self.shape)):
            raise ValueError(
                f"Cannot assign a value of shape {value.shape} to variable '{self.name}' of shape {self.shape}"
            )
        self._native.assign(np.ascontiguousarray(value, dtype=self.dtype).reshape(self.shape))
        return self

    def assign_add(self, value):
        return self.assign(self.numpy() + np.asarray(value, dtype=self.dtype))

    def zero(self):
        """Sets every element to 0 in place (metric resets run before every *_on_batch call)."""
        self._native.zero()
        return self

    def assign_sub(self, value):
        return self.assign(self.numpy() - np.asarray(value, dtype=self.dtype))

    def __array__(self, dtype=None, copy=None):
        v = self.numpy()
        return v if dtype is None else v.astype(dtype)

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={self.numpy()}>"
