"""Initializer: the base of every weight initializer (Keras 3 interface: `__call__(shape, dtype)`
returning a NumPy array, `get_config`, `from_config`, `clone`). Values are made once, when a
variable is created, so NumPy is the right tool here; nothing in the training step calls this."""

import numpy as np


class Initializer:
    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


def standardize_dtype(dtype):
    """Keras's default float dtype when none is given."""
    return "float32" if dtype is None else str(np.dtype(dtype))


def standardize_shape(shape):
    return tuple(int(d) for d in shape)
