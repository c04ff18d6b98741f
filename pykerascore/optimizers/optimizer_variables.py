"""Optimizer variables as Keras shows them (`optimizer.variables`, `optimizer.iterations`,
`optimizer.learning_rate`): handles whose every read and write goes to the native optimizer's
state, so no copy can go stale. They behave like Keras variables (numpy, assign, shape,
dtype, path, arithmetic and comparisons on their value). Must not compute optimizer updates;
only `LossScaleOptimizer`'s two placeholders (`Held`) keep a value of their own.
"""

import operator

import numpy as np


class OptimizerVariable:
    """A named view of one piece of optimizer state; `get()` returns its current value, `set(a)`
    writes an array of the variable's shape and dtype."""

    trainable = False

    def __init__(self, name, path, shape, dtype, get, set):
        self.name = name
        self.path = path
        self._shape = tuple(shape)
        self._dtype = np.dtype(dtype)
        self._get = get
        self._set = set

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return str(self._dtype)

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def value(self):
        return self.numpy()

    def numpy(self):
        return np.asarray(self._get(), dtype=self._dtype).reshape(self._shape)

    def assign(self, value):
        arr = np.asarray(value)
        if arr.size != int(np.prod(self._shape)):
            raise ValueError(f"Cannot assign a value of shape {arr.shape} to optimizer variable '{self.path}' "
                             f"of shape {self._shape}")
        self._set(arr.astype(self._dtype, copy=False).reshape(self._shape))
        return self

    def assign_add(self, value):
        return self.assign(self.numpy() + np.asarray(value, dtype=self._dtype))

    def assign_sub(self, value):
        return self.assign(self.numpy() - np.asarray(value, dtype=self._dtype))

    # A scalar reads as its exact native value (the learning rate is kept in double precision
    # natively; its float32 form is what `numpy()` and saved files show, as in Keras).
    def _scalar(self):
        value = self._get()
        return value if np.isscalar(value) else self.numpy()

    def __array__(self, dtype=None, copy=None):
        v = self.numpy()
        return v if dtype is None else v.astype(dtype)

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        return int(self._scalar())

    def __float__(self):
        return float(self._scalar())

    def __bool__(self):
        return bool(self._scalar())

    def __format__(self, spec):
        return format(self._scalar(), spec)

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<OptimizerVariable path={self.path}, shape={self._shape}, dtype={self.dtype}, value={self.numpy()}>"


def _binary(op, reflected=False):
    def method(self, other):
        other = np.asarray(other) if isinstance(other, OptimizerVariable) else other
        return op(other, self._scalar()) if reflected else op(self._scalar(), other)
    return method


for _name, _op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow)):
    setattr(OptimizerVariable, f"__{_name}__", _binary(_op))
    setattr(OptimizerVariable, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in (("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
                   ("gt", operator.gt), ("ge", operator.ge)):
    setattr(OptimizerVariable, f"__{_name}__", _binary(_op))
OptimizerVariable.__neg__ = lambda self: -self._scalar()


class Held(OptimizerVariable):
    """A scalar that holds its own value: a LossScaleOptimizer's own `iteration` and
    `learning_rate`, which Keras keeps (and saves) but never uses."""

    def __init__(self, name, path, dtype, value):
        self._held = np.asarray(value, dtype=dtype)
        super().__init__(name, path, (), dtype, lambda: self._held[()], self._store)

    def _store(self, value):
        self._held = np.asarray(value, dtype=self._dtype)


def state_name(model_variable, suffix):
    """Keras's name for the optimizer state of `model_variable`: its path with '/' -> '_'."""
    path = getattr(model_variable, "path", None) or str(model_variable.name)
    return f"{path.replace('/', '_')}_{suffix}"
