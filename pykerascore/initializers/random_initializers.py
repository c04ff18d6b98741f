"""Seeded random initializers with Keras 3 names, defaults and formulas: RandomNormal,
RandomUniform, TruncatedNormal (redrawn beyond 2 stddev), VarianceScaling and its named forms
(Glorot/He/Lecun, uniform and truncated normal), Orthogonal.

Seeds follow Keras: an integer seed gives the same values on every call; without one, the
initializer draws its seed once, when constructed, from the global generator (so
`set_random_seed` makes it reproducible, and two instances differ). Draws use NumPy
(`utils.rng`): the distributions and limits are Keras's, the random streams are not.
"""

import math

import numpy as np

from pykerascore.initializers.initializer import Initializer, standardize_dtype, standardize_shape
from pykerascore.utils import rng

# stddev of a unit normal truncated to [-2, 2]: dividing by it restores the requested variance
_TRUNCATED_STDDEV = 0.87962566103423978


class RandomInitializer(Initializer):
    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(
                "`seed` argument should be an instance of `keras.random.SeedGenerator()` or an integer. "
                f"Received: seed={seed}"
            )
        self._init_seed = None if seed is None else int(seed)
        self.seed = self._init_seed if seed is not None else rng.draw_seed()

    def _generator(self):
        return rng.generator(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _truncated_normal(gen, shape, mean, stddev):
    """Unit normals redrawn until inside [-2, 2], then scaled (Keras truncates at 2 stddev)."""
    z = gen.standard_normal(shape)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.0
    return z * stddev + mean


class RandomNormal(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._generator().normal(self.mean, self.stddev, size=standardize_shape(shape))
        return values.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._generator(), standardize_shape(shape), self.mean, self.stddev)
        return values.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._generator().uniform(self.minval, self.maxval, size=standardize_shape(shape))
        return values.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """Keras's (fan_in, fan_out): explicit axes when both are given; else vectors use their
    length for both, matrices (in, out), and higher ranks treat the leading dims as a
    convolution's receptive field."""
    shape = standardize_shape(shape)
    if input_axes is not None and output_axes is not None:
        return int(np.prod([shape[a] for a in input_axes])), int(np.prod([shape[a] for a in output_axes]))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(RandomInitializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {modes}")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras's old name for the truncated one
            distribution = "truncated_normal"
        distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution}.Please use one of {distributions}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def _variance(self, shape):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, fan)

    def __call__(self, shape, dtype=None):
        shape = standardize_shape(shape)
        variance = self._variance(shape)
        gen = self._generator()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(gen, shape, 0.0, math.sqrt(variance) / _TRUNCATED_STDDEV)
        elif self.distribution == "untruncated_normal":
            values = gen.normal(0.0, math.sqrt(variance), size=shape)
        else:
            limit = math.sqrt(3.0 * variance)
            values = gen.uniform(-limit, limit, size=shape)
        return values.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _NamedVarianceScaling(VarianceScaling):
    """Glorot/He/Lecun: fixed scale, mode and distribution; only the seed and axes vary."""

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._scale, mode=self._mode, distribution=self._distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_NamedVarianceScaling):
    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class HeNormal(_NamedVarianceScaling):
    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class Orthogonal(RandomInitializer):
    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"The tensor to initialize must be at least two-dimensional. Received: shape={shape} of rank {len(shape)}."
            )
        # As Keras: QR of a tall normal matrix, signs fixed by diag(R) so Q is uniformly
        # distributed, transposed back when the (flattened) matrix is wide.
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
