"""Metric base class. State lives in native variables that graph ops update in place, so a
compiled step loop accumulates metrics without Python; `result()` reads the state once per
execution. Subclasses only emit ops in `update_state`; they never pull state into Python there.
"""

import collections

import numpy as np

from pykerascore import initializers
from pykerascore.backend.symbolic import KerasTensor, emit
from pykerascore.backend.variables import Variable

_NAME_UIDS = collections.defaultdict(int)


def to_snake_case(name):
    import re

    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix):
    """Keras's default names: `auc`, then `auc_1`, `auc_2`, ..."""
    prefix = to_snake_case(prefix)
    n = _NAME_UIDS[prefix]
    _NAME_UIDS[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


class MetricVariable(Variable):
    """A metric state variable: assignments of traced tensors become in-place graph ops
    (`metric_assign`, `metric_assign_add`), concrete ones write through immediately."""

    def assign(self, value):
        if isinstance(value, KerasTensor):
            emit("metric_assign", [self, value], name=self.name)
            return self
        return super().assign(value)

    def assign_add(self, value):
        if isinstance(value, KerasTensor):
            emit("metric_assign_add", [self, value], name=self.name)
            return self
        return super().assign_add(value)

    def assign_sub(self, value):
        if isinstance(value, KerasTensor):
            from pykerascore import ops

            return self.assign_add(ops.negative(value))
        return super().assign_sub(value)


class Metric:
    def __init__(self, dtype=None, name=None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = str(np.dtype(dtype or "float32"))
        if self._dtype not in ("float32", "float64"):
            raise ValueError(f"Metric dtype must be float32 or float64, got {self._dtype}")
        self._variables = []
        self._metrics = []

    @property
    def dtype(self):
        return self._dtype

    def __setattr__(self, name, value):
        # Track sub-metrics so `variables`, reset and merge reach their state too.
        if isinstance(value, Metric) and name != "_metrics" and hasattr(self, "_metrics"):
            self._metrics.append(value)
        super().__setattr__(name, value)

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")
        dtype = str(np.dtype(dtype or self.dtype))
        shape = tuple(int(d) for d in shape)
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype) if callable(init) else np.asarray(init, dtype=dtype)
        var = MetricVariable(np.asarray(value, dtype=dtype), shape=shape, dtype=dtype, trainable=False,
                             name=f"{self.name}/{name or 'variable'}")
        self._variables.append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self):
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self):
        for v in self.variables:
            v.zero()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def merge_state(self, metrics):
        """Adds the state of other metrics of the same kind into this one. Every built-in
        metric's state is a sum over batches, so merging is element-wise addition."""
        for other in metrics:
            if type(other) is not type(self):
                raise ValueError(f"Metric {other} is not compatible with {self}: different types")
            self._prepare_merge(other)
            mine, theirs = self.variables, other.variables
            if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
                raise ValueError(f"Metric {other} is not compatible with {self}: state shapes differ")
            for a, b in zip(mine, theirs):
                a.assign(a.numpy() + b.numpy())

    def _prepare_merge(self, other):
        """Hook for metrics that create their state lazily (built from the first batch)."""

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self):
        return self.__repr__()
