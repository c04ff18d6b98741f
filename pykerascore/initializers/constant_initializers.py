"""Deterministic initializers with Keras 3 names and configs: Zeros, Ones, Constant(value),
Identity(gain). No randomness here (random_initializers.py holds the seeded ones)."""

import numpy as np

from pykerascore.initializers.initializer import Initializer, standardize_dtype, standardize_shape


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        # As Keras: the value is cast to the dtype, then broadcast over the shape.
        dtype = standardize_dtype(dtype)
        return np.asarray(self.value, dtype=dtype) * np.ones(standardize_shape(shape), dtype=dtype)

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray) or isinstance(value, np.generic):
            value = value.tolist()
        return {"value": value}

    @classmethod
    def from_config(cls, config):
        # Keras raises KeyError for get("constant") (empty config); the default is kinder.
        return cls(config.get("value", 0.0))


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = standardize_dtype(dtype)
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}
