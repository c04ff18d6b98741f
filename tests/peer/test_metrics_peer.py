"""Every metric vs real keras.metrics (JAX backend) on the same random batches with sample
weights: several update_state calls, then result(), to 1e-6 (AUC ROC and PR included)."""

import numpy as np
import pytest

import pykerascore as pk


def _batches(kind, seed, shape=(32, 4), n=3):
    r = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        if kind == "binary":
            t = r.integers(0, 2, size=shape).astype("float32")
            p = r.uniform(size=shape).astype("float32")
        elif kind == "logits":
            t = r.integers(0, 2, size=shape).astype("float32")
            p = (3 * r.normal(size=shape)).astype("float32")
        elif kind == "onehot":
            t = np.eye(shape[-1], dtype="float32")[r.integers(0, shape[-1], size=shape[0])]
            p = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
        elif kind == "onehot_logits":
            t = np.eye(shape[-1], dtype="float32")[r.integers(0, shape[-1], size=shape[0])]
            p = r.normal(size=shape).astype("float32")
        elif kind == "sparse":
            t = r.integers(0, shape[-1], size=(shape[0], 1)).astype("float32")
            p = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
        elif kind == "dist":
            t = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
            p = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
        elif kind == "positive":
            t = r.uniform(0, 3, size=shape).astype("float32")
            p = r.uniform(0.05, 3, size=shape).astype("float32")
        elif kind == "classes":
            t = r.integers(0, 3, size=shape).astype("float32")
            p = r.integers(0, 3, size=shape).astype("float32")
        else:
            t = r.normal(size=shape).astype("float32")
            p = r.normal(size=shape).astype("float32")
        w = r.uniform(size=shape[0]).astype("float32")
        out.append((t, p, w))
    return out


# (class name, constructor kwargs, data kind, weighted)
CASES = [
    ("Mean", {}, "real", True),
    ("Sum", {}, "real", True),
    ("Accuracy", {}, "classes", True),
    ("BinaryAccuracy", {}, "binary", True),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary", True),
    ("CategoricalAccuracy", {}, "onehot", True),
    ("SparseCategoricalAccuracy", {}, "sparse", True),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", True),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse", True),
    ("TruePositives", {}, "binary", True),
    ("TrueNegatives", {"thresholds": [0.1, 0.5, 0.9]}, "binary", True),
    ("FalsePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary", True),
    ("FalseNegatives", {}, "binary", True),
    ("Precision", {}, "binary", True),
    ("Precision", {"thresholds": [0.3, 0.6]}, "binary", True),
    ("Precision", {"top_k": 2}, "binary", True),
    ("Recall", {"class_id": 1}, "binary", True),
    ("Recall", {"top_k": 1, "class_id": 2}, "binary", True),
    ("AUC", {}, "binary", True),
    ("AUC", {"curve": "PR"}, "binary", True),
    ("AUC", {"summation_method": "minoring"}, "binary", True),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary", True),
    ("AUC", {"num_thresholds": 37, "multi_label": True}, "binary", True),
    ("AUC", {"multi_label": True, "label_weights": [0.1, 0.4, 0.2, 1.0], "curve": "PR"}, "binary", True),
    ("AUC", {"label_weights": [0.1, 0.4, 0.2, 1.0]}, "binary", True),
    ("AUC", {"from_logits": True}, "logits", True),
    ("AUC", {"thresholds": [0.1, 0.3, 0.35, 0.8]}, "binary", True),
    ("MeanSquaredError", {}, "real", True),
    ("RootMeanSquaredError", {}, "real", True),
    ("MeanAbsoluteError", {}, "real", True),
    ("MeanAbsolutePercentageError", {}, "real", True),
    ("MeanSquaredLogarithmicError", {}, "positive", True),
    ("CosineSimilarity", {}, "real", True),
    ("LogCoshError", {}, "real", True),
    ("BinaryCrossentropy", {}, "binary", True),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits", True),
    ("CategoricalCrossentropy", {}, "onehot", True),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot_logits", True),
    ("SparseCategoricalCrossentropy", {}, "sparse", True),
    ("KLDivergence", {}, "dist", True),
    ("Poisson", {}, "positive", True),
    ("Hinge", {}, "binary", True),
    ("Hinge", {}, "real", True),
    ("SquaredHinge", {}, "binary", True),
    ("CategoricalHinge", {}, "onehot", True),
    ("R2Score", {}, "real", True),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2}, "real", True),
    ("R2Score", {"class_aggregation": None}, "real", True),
]


def _feed(metric, name, batches):
    for t, p, w in batches:
        if name in ("Mean", "Sum"):
            metric.update_state(p, sample_weight=w)
        else:
            metric.update_state(t, p, sample_weight=w)
    return np.asarray(metric.result(), dtype=np.float64)


@pytest.mark.parametrize("name,kwargs,kind,weighted", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_metric_matches_keras(real_keras, name, kwargs, kind, weighted):
    batches = _batches(kind, seed=len(name) + 31 * len(kwargs))
    ours = _feed(getattr(pk.metrics, name)(**kwargs), name, batches)
    theirs = _feed(getattr(real_keras.metrics, name)(**kwargs), name, batches)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["AUC", "Precision", "MeanSquaredError"])
def test_reset_then_update_matches_keras(real_keras, name):
    kind = "binary" if name != "MeanSquaredError" else "real"
    b1, b2 = _batches(kind, 1), _batches(kind, 2)
    ours, theirs = getattr(pk.metrics, name)(), getattr(real_keras.metrics, name)()
    _feed(ours, name, b1)
    _feed(theirs, name, b1)
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(_feed(ours, name, b2), _feed(theirs, name, b2), rtol=1e-6, atol=1e-6)
