"""Dropout: the native `dropout` op in training, identity otherwise.

The mask is a function of (seed, program step, element index) only (see csrc/ops/dropout.cpp),
so a seeded layer gives the same masks on every backend and run. Without a `seed`, one is drawn
from the global generator when the layer is created (reproducible after set_random_seed).
"""

from pykerascore.backend.symbolic import emit
from pykerascore.layers.layer import Layer
from pykerascore.utils import rng

_SEED_MASK = 2**63 - 1  # native seeds are 63-bit non-negative ints


def _validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected a tuple or list of integers. "
            f"Received: noise_shape={noise_shape}"
        )
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected an iterable of integers "
            f"(e.g., a tuple or list). Received: noise_shape={noise_shape}"
        ) from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected all elements to be integers or "
                f"None. Received element at index {i}: {dim} (type: {type(dim).__name__})"
            )
        if dim <= 0:
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected all dimensions to be positive "
                f"integers or None. Received negative or zero value at index {i}: {dim}"
            )
    return noise_shape


class Dropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Argument `seed` must be an integer or None. Received: seed={seed}")
        self.rate = rate
        self.seed = seed
        self.noise_shape = _validate_noise_shape(noise_shape)
        self._native_seed = (seed if seed is not None else rng.draw_seed()) & _SEED_MASK
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        attrs = {"rate": float(self.rate), "seed": int(self._native_seed)}
        if self.noise_shape is not None:
            attrs["noise_shape"] = [-1 if d is None else int(d) for d in self.noise_shape]
        return emit("dropout", [inputs], attrs, name=self.name)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return cfg
