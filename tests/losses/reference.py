"""NumPy references of the Keras 3 loss formulas (float64), written from the Keras docs and
source semantics: per-sample values with the same clipping, smoothing and epsilons, and the
weighting/reduction of keras.losses.Loss. Test code only; no pykerascore import."""
import contextlib

import numpy as np

EPS = 1e-7
HI = 1 - 1e-7  # Keras's 1 - epsilon, as the loss dtype rounds it


@contextlib.contextmanager
def float32_bounds():
    """Clip bounds as float32 kernels see them (1 - 1e-7 rounds to 0.99999988 in float32)."""
    global EPS, HI
    saved = EPS, HI
    EPS, HI = float(np.float32(1e-7)), float(np.float32(1 - 1e-7))
    try:
        yield
    finally:
        EPS, HI = saved


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def mean_squared_error(t, p):
    return _mean((t - p) ** 2)


def mean_absolute_error(t, p):
    return _mean(np.abs(t - p))


def mean_absolute_percentage_error(t, p):
    return 100.0 * _mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)))


def mean_squared_logarithmic_error(t, p):
    return _mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2)


def huber(t, p, delta=1.0):
    e = p - t
    a = np.abs(e)
    return _mean(np.where(a <= delta, 0.5 * e * e, delta * a - 0.5 * delta * delta))


def log_cosh(t, p):
    x = p - t
    return _mean(x + softplus(-2 * x) - np.log(2.0))


def _hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def hinge(t, p):
    return _mean(np.maximum(1 - _hinge_labels(t) * p, 0))


def squared_hinge(t, p):
    return _mean(np.maximum(1 - _hinge_labels(t) * p, 0) ** 2)


def categorical_hinge(t, p):
    pos = np.sum(t * p, -1)
    neg = np.max((1 - t) * p, -1)
    return np.maximum(neg - pos + 1, 0)


def kl_divergence(t, p):
    t = np.clip(t, EPS, 1)
    p = np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), -1)


def poisson(t, p):
    return _mean(p - t * np.log(p + EPS))


def cosine_similarity(t, p, axis=-1):
    def unit(x):
        return x * np.minimum(1 / np.sqrt(np.sum(x * x, axis, keepdims=True)), 1 / EPS)

    with np.errstate(divide="ignore"):
        return -np.sum(unit(t) * unit(p), axis)


def _bce_elements(t, p, from_logits):
    if from_logits:
        return t * softplus(-p) + (1 - t) * softplus(p)
    p = np.clip(p, EPS, HI)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def binary_crossentropy(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    return _mean(_bce_elements(t, p, from_logits), axis)


def binary_focal_crossentropy(t, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    q = sigmoid(p) if from_logits else p
    bce = _bce_elements(t, q, False)
    pt = t * q + (1 - t) * (1 - q)
    v = (1 - pt) ** gamma * bce
    if apply_class_balancing:
        v = (t * alpha + (1 - t) * (1 - alpha)) * v
    return _mean(v, axis)


def _smooth(t, ls, n):
    return t * (1 - ls) + ls / n


def _log_probs(p, from_logits, axis):
    if from_logits:
        z = p - p.max(axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis, keepdims=True))
    return np.log(np.clip(p / p.sum(axis, keepdims=True), EPS, HI))


def categorical_crossentropy(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    t = _smooth(t, label_smoothing, p.shape[axis])
    return -np.sum(t * _log_probs(p, from_logits, axis), axis)


def categorical_focal_crossentropy(t, p, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    t = _smooth(t, label_smoothing, p.shape[axis])
    if from_logits:
        p = softmax(p, axis)
    o = np.clip(p / p.sum(axis, keepdims=True), EPS, HI)
    return np.sum(alpha * (1 - o) ** gamma * (-t * np.log(o)), axis)


def sparse_categorical_crossentropy(labels, p, from_logits=False, ignore_class=None):
    labels = np.asarray(labels)
    if labels.ndim == p.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    labels = labels.astype(np.int64)
    valid = np.ones(labels.shape, bool) if ignore_class is None else labels != ignore_class
    safe = np.where(valid, labels, 0)
    lp = _log_probs(p, from_logits, -1)
    v = -np.take_along_axis(lp, safe[..., None], -1)[..., 0]
    return np.where(valid, v, 0.0), valid


# ------------------------------------------------------------------ weighting and reduction
def align(x, w):
    """keras squeeze_or_expand_to_same_rank(x, w)."""
    if x.ndim == w.ndim + 1 and x.shape[-1] == 1:
        if w.ndim == 1:
            w = w[..., None]
        else:
            x = x[..., 0]
    if w.ndim == x.ndim + 1 and w.shape[-1] == 1:
        if x.ndim == 1:
            x = x[..., None]
        else:
            w = w[..., 0]
    if 0 < w.ndim < x.ndim and x.shape[:w.ndim] == w.shape:  # per-sample weights on temporal values
        w = w.reshape(w.shape + (1,) * (x.ndim - w.ndim))
    return x, w


def reduce(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    values = np.asarray(values, np.float64)
    if mask is not None:
        if reduction in ("mean", "sum_over_batch_size"):
            valid = mask.sum()
            m = np.where(mask, mask.size / valid if valid else 0.0, 0.0)
        else:
            m = mask.astype(np.float64)
        if sample_weight is None:
            sample_weight = m
        else:
            m, sw = align(m, np.asarray(sample_weight, np.float64))
            sample_weight = sw * m
    if sample_weight is not None:
        values, sw = align(values, np.asarray(sample_weight, np.float64))
        values = values * sw
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    div = np.sum(sw) if reduction == "mean_with_sample_weight" and sample_weight is not None else values.size
    return total / div if div else 0.0
