"""The loss cases shared by the forward, gradient and peer tests: each is (name, kwargs, data)
where data(rng, dtype) gives (y_true, y_pred) in the regime the loss is meant for, including
values that hit Keras's clipping."""
import numpy as np

from . import reference as ref


def _probs(rng, shape):
    return ref.softmax(rng.normal(size=shape) * 2)


def regression(rng, shape=(5, 4)):
    return rng.normal(size=shape), rng.normal(size=shape)


def positive(rng, shape=(5, 4)):
    return rng.uniform(0.0, 2.0, size=shape), rng.uniform(0.05, 2.0, size=shape)


def msle_data(rng, shape=(5, 4)):
    t, p = rng.uniform(-0.5, 2.0, size=shape), rng.uniform(-0.5, 2.0, size=shape)
    return t, p


def binary_probs(rng, shape=(5, 4)):
    t = (rng.random(shape) < 0.5).astype(float)
    p = rng.uniform(0.02, 0.98, size=shape)
    return t, p


def binary_soft_clipped(rng, shape=(5, 4)):
    t = rng.random(shape)
    p = rng.uniform(0.02, 0.98, size=shape)
    p.flat[::7] = 0.0
    p.flat[3::7] = 1.0
    return t, p


def binary_logits(rng, shape=(5, 4)):
    return (rng.random(shape) < 0.5).astype(float), rng.normal(size=shape) * 3


def onehot(rng, shape=(5, 4)):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[labels]


def categorical_probs(rng, shape=(5, 4)):
    return onehot(rng, shape), _probs(rng, shape)


def categorical_soft(rng, shape=(5, 4)):
    t = _probs(rng, shape)
    p = rng.uniform(0.05, 1.0, size=shape)  # unnormalised: Keras renormalises
    return t, p


def categorical_logits(rng, shape=(5, 4)):
    return onehot(rng, shape), rng.normal(size=shape) * 2


def hinge_pm1(rng, shape=(5, 4)):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0), rng.normal(size=shape)


def hinge_01(rng, shape=(5, 4)):
    return (rng.random(shape) < 0.5).astype(float), rng.normal(size=shape)


def kld_data(rng, shape=(5, 4)):
    return _probs(rng, shape), _probs(rng, shape)


# (function name, kwargs, data) for every loss and option
CASES = [
    ("mean_squared_error", {}, regression),
    ("mean_absolute_error", {}, regression),
    ("mean_absolute_percentage_error", {}, regression),
    ("mean_squared_logarithmic_error", {}, msle_data),
    ("huber", {}, regression),
    ("huber", {"delta": 0.5}, regression),
    ("log_cosh", {}, regression),
    ("hinge", {}, hinge_pm1),
    ("hinge", {}, hinge_01),
    ("squared_hinge", {}, hinge_pm1),
    ("squared_hinge", {}, hinge_01),
    ("categorical_hinge", {}, categorical_probs),
    ("kl_divergence", {}, kld_data),
    ("poisson", {}, positive),
    ("cosine_similarity", {}, regression),
    ("cosine_similarity", {"axis": 0}, regression),
    ("binary_crossentropy", {}, binary_probs),
    ("binary_crossentropy", {}, binary_soft_clipped),
    ("binary_crossentropy", {"label_smoothing": 0.1}, binary_probs),
    ("binary_crossentropy", {"from_logits": True}, binary_logits),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.2}, binary_logits),
    ("binary_crossentropy", {"axis": 0}, binary_probs),
    ("binary_focal_crossentropy", {}, binary_probs),
    ("binary_focal_crossentropy", {"gamma": 1.5, "alpha": 0.4, "apply_class_balancing": True}, binary_probs),
    ("binary_focal_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, binary_logits),
    ("binary_focal_crossentropy", {"from_logits": True, "apply_class_balancing": True}, binary_logits),
    ("categorical_crossentropy", {}, categorical_probs),
    ("categorical_crossentropy", {}, categorical_soft),
    ("categorical_crossentropy", {"label_smoothing": 0.1}, categorical_probs),
    ("categorical_crossentropy", {"from_logits": True}, categorical_logits),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.2}, categorical_logits),
    ("categorical_crossentropy", {"axis": 0}, categorical_soft),
    ("categorical_focal_crossentropy", {}, categorical_probs),
    ("categorical_focal_crossentropy", {"gamma": 3.0, "alpha": 0.5}, categorical_soft),
    ("categorical_focal_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, categorical_logits),
]


def case_id(case):
    name, kw, data = case
    opts = ",".join(f"{k}={v}" for k, v in kw.items())
    return f"{name}[{opts}]{data.__name__}"
