"""NumPy references of the Keras 3 constraint formulas (epsilon 1e-7)."""

import numpy as np

EPS = 1e-7


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.sqrt(np.sum(w.astype("float64") ** 2, axis=axis, keepdims=True))


def max_norm_ref(w, max_value, axis):
    n = _norms(w, axis)
    return w * (np.clip(n, 0, max_value) / (EPS + n))


def unit_norm_ref(w, axis):
    return w / (EPS + _norms(w, axis))


def min_max_norm_ref(w, lo, hi, rate, axis):
    n = _norms(w, axis)
    return w * ((rate * np.clip(n, lo, hi) + (1 - rate) * n) / (EPS + n))
