"""NumPy references of Keras's metric formulas (float64), written for the tests, plus a
helper that feeds batches to a metric."""

import numpy as np

EPS = 1e-7


def feed(metric, batches):
    for b in batches:
        metric.update_state(*b[:2], sample_weight=b[2] if len(b) > 2 else None)
    return metric.result()


def weighted_mean(values_per_batch, weights_per_batch=None):
    """Keras Mean over per-sample values: sum(v * w) / sum(w) (w = 1 when absent)."""
    total = count = 0.0
    for i, v in enumerate(values_per_batch):
        v = np.asarray(v, np.float64)
        w = np.ones(v.shape[0]) if weights_per_batch is None or weights_per_batch[i] is None else np.asarray(
            weights_per_batch[i], np.float64)
        v = v.reshape(v.shape[0], -1).mean(axis=1)
        total += float(np.sum(v * w))
        count += float(np.sum(w))
    return total / count if count else 0.0


def mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def mape(t, p):
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, axis=-1)


def cosine(t, p):
    tn = t / np.sqrt(np.maximum(np.sum(t * t, -1, keepdims=True), EPS * EPS))
    pn = p / np.sqrt(np.maximum(np.sum(p * p, -1, keepdims=True), EPS * EPS))
    return np.sum(tn * pn, axis=-1)


def log_cosh(t, p):
    x = p - t
    return np.mean(x + np.logaddexp(-2 * x, 0) - np.log(2.0), axis=-1)


def bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return np.mean(t * np.logaddexp(0, -p) + (1 - t) * np.logaddexp(0, p), axis=-1)
    q = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(q) + (1 - t) * np.log(1 - q)), axis=-1)


def cce(t, p, from_logits=False, label_smoothing=0.0):
    C = p.shape[-1]
    t = t * (1 - label_smoothing) + label_smoothing / C
    if from_logits:
        m = p.max(-1, keepdims=True)
        logq = p - m - np.log(np.sum(np.exp(p - m), -1, keepdims=True))
    else:
        logq = np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * logq, axis=-1)


def scce(labels, p, from_logits=False):
    C = p.shape[-1]
    return cce(np.eye(C)[labels.astype(int)], p, from_logits)


def kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def _hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0), axis=-1)


def squared_hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0) ** 2, axis=-1)


def categorical_hinge(t, p):
    pos = np.sum(t * p, -1)
    neg = np.max((1 - t) * p, -1)
    return np.maximum(neg - pos + 1, 0)


def confusion(y_true, y_pred, thresholds, sample_weight=None):
    """Weighted tp, fp, tn, fn per threshold over flattened inputs: positive when y_pred > t."""
    t = (np.ravel(y_true) != 0)
    p = np.ravel(y_pred).astype(np.float64)
    w = np.ones_like(p) if sample_weight is None else np.broadcast_to(sample_weight, np.shape(y_pred)).ravel()
    out = np.zeros((4, len(thresholds)))
    for i, th in enumerate(np.asarray(thresholds, np.float32)):
        pos = p > th
        out[:, i] = [np.sum(w * (t & pos)), np.sum(w * (~t & pos)), np.sum(w * (~t & ~pos)), np.sum(w * (t & ~pos))]
    return out


def auc_thresholds(n):
    return [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]


def divide_no_nan(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))


def auc_from_counts(c, curve="ROC", summation="interpolation"):
    tp, fp, tn, fn = c
    if curve == "PR" and summation == "interpolation":
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return np.sum(divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)), axis=0)
    recall = divide_no_nan(tp, tp + fn)
    if curve == "ROC":
        x, y = divide_no_nan(fp, fp + tn), recall
    else:
        x, y = recall, divide_no_nan(tp, tp + fp)
    if summation == "interpolation":
        h = (y[:-1] + y[1:]) / 2
    elif summation == "minoring":
        h = np.minimum(y[:-1], y[1:])
    else:
        h = np.maximum(y[:-1], y[1:])
    return np.sum((x[:-1] - x[1:]) * h, axis=0)
