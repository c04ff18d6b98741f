"""Metric base: state lives in native variables so compiled programs update it in place;
`result()` reads the state once per execution."""

import numpy as np

from pykerascore.backend.variables import Variable


class Metric:
    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__
        self.dtype = dtype or "float32"
        self._variables = []

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        init = np.zeros if initializer == "zeros" else initializer
        var = Variable(init(shape, dtype=dtype or self.dtype) if callable(init) else init, shape=shape,
                       dtype=dtype or self.dtype, trainable=False, name=name or "state")
        self._variables.append(var)
        return var

    @property
    def variables(self):
        return list(self._variables)

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype=v.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
