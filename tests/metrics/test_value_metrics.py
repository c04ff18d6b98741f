"""Regression, probabilistic and hinge metrics (MeanMetricWrapper family, RMSE, R2Score) vs
NumPy implementations of Keras's formulas, over several weighted batches, reset and merge."""

import warnings

import numpy as np
import pytest

import pykerascore as keras
from . import refs
from .refs import feed, weighted_mean


def _data(kind, seed, shape=(12, 4)):
    r = np.random.default_rng(seed)
    if kind == "prob":
        t = r.integers(0, 2, size=shape).astype("float32")
        p = r.uniform(0.01, 0.99, size=shape).astype("float32")
    elif kind == "dist":
        t = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
        p = r.dirichlet(np.ones(shape[-1]), size=shape[0]).astype("float32")
    elif kind == "onehot":
        t = np.eye(shape[-1], dtype="float32")[r.integers(0, shape[-1], size=shape[0])]
        p = r.normal(size=shape).astype("float32")
    elif kind == "pos":
        t = r.uniform(0, 3, size=shape).astype("float32")
        p = r.uniform(0.1, 3, size=shape).astype("float32")
    else:
        t = r.normal(size=shape).astype("float32")
        p = r.normal(size=shape).astype("float32")
    return t, p, r.uniform(size=shape[0]).astype("float32")


CASES = [
    ("MeanSquaredError", {}, refs.mse, "real"),
    ("MeanAbsoluteError", {}, refs.mae, "real"),
    ("MeanAbsolutePercentageError", {}, refs.mape, "real"),
    ("MeanSquaredLogarithmicError", {}, refs.msle, "pos"),
    ("CosineSimilarity", {}, refs.cosine, "real"),
    ("LogCoshError", {}, refs.log_cosh, "real"),
    ("BinaryCrossentropy", {}, refs.bce, "prob"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, lambda t, p: refs.bce(t, p, label_smoothing=0.1), "prob"),
    ("BinaryCrossentropy", {"from_logits": True}, lambda t, p: refs.bce(t, p, from_logits=True), "real"),
    ("CategoricalCrossentropy", {}, refs.cce, "dist"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, lambda t, p: refs.cce(t, p, label_smoothing=0.2), "dist"),
    ("CategoricalCrossentropy", {"from_logits": True}, lambda t, p: refs.cce(t, p, from_logits=True), "onehot"),
    ("KLDivergence", {}, refs.kld, "dist"),
    ("Poisson", {}, refs.poisson, "pos"),
    ("Hinge", {}, refs.hinge, "prob"),
    ("Hinge", {}, refs.hinge, "real"),
    ("SquaredHinge", {}, refs.squared_hinge, "prob"),
    ("CategoricalHinge", {}, refs.categorical_hinge, "onehot"),
]


@pytest.mark.parametrize("cls,kwargs,ref,kind", CASES)
def test_value_metric_weighted_batches(cls, kwargs, ref, kind):
    batches = [_data(kind, s) for s in (1, 2, 3)]
    m = getattr(keras.metrics, cls)(**kwargs)
    got = feed(m, batches)
    f64 = [(t.astype(np.float64), p.astype(np.float64)) for t, p, _ in batches]
    expect = weighted_mean([ref(t, p) for t, p in f64], [w for *_, w in batches])
    assert got == pytest.approx(expect, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("cls,kwargs,ref,kind", CASES[:3])
def test_value_metric_reset_and_merge(cls, kwargs, ref, kind):
    b1, b2 = _data(kind, 4), _data(kind, 5)
    a, b = getattr(keras.metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)
    feed(a, [b2])
    a.reset_state()
    feed(a, [b1])
    feed(b, [b2])
    a.merge_state([b])
    expect = weighted_mean([ref(*map(np.float64, x[:2])) for x in (b1, b2)], [b1[2], b2[2]])
    assert a.result() == pytest.approx(expect, rel=1e-5)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy(from_logits):
    r = np.random.default_rng(6)
    labels = r.integers(0, 5, size=(10, 1)).astype("float32")
    p = r.dirichlet(np.ones(5), size=10).astype("float32") if not from_logits else r.normal(size=(10, 5)).astype("float32")
    w = r.uniform(size=10).astype("float32")
    got = feed(keras.metrics.SparseCategoricalCrossentropy(from_logits=from_logits), [(labels, p, w)])
    expect = weighted_mean([refs.scce(labels[:, 0], p.astype(np.float64), from_logits)], [w])
    assert got == pytest.approx(expect, rel=1e-5)


def test_root_mean_squared_error():
    batches = [_data("real", s) for s in (7, 8)]
    got = feed(keras.metrics.RootMeanSquaredError(), batches)
    expect = np.sqrt(weighted_mean([(p - t).astype(np.float64) ** 2 for t, p, _ in batches], [w for *_, w in batches]))
    assert got == pytest.approx(expect, rel=1e-6)


def _r2_ref(batches, aggregation="uniform_average", num_regressors=0):
    t = np.concatenate([b[0] for b in batches]).astype(np.float64)
    p = np.concatenate([b[1] for b in batches]).astype(np.float64)
    w = np.concatenate([b[2] for b in batches]).astype(np.float64)[:, None] * np.ones_like(t)
    s, sq, res, cnt = (w * t).sum(0), (w * t * t).sum(0), (w * (t - p) ** 2).sum(0), w.sum(0)
    total = sq - s * (s / cnt)
    raw = 1 - res / total
    if aggregation == "uniform_average":
        score = raw.mean()
    elif aggregation == "variance_weighted_average":
        score = np.sum(total * raw) / np.sum(total)
    else:
        score = raw
    n = t.size  # Keras 3.15: num_samples counts the elements of y_true
    if num_regressors and num_regressors < n - 1:
        score = 1 - (1 - score) * (n - 1) / (n - num_regressors - 1)
    return score


@pytest.mark.parametrize("aggregation", ["uniform_average", "variance_weighted_average", None])
def test_r2_score_aggregations(aggregation):
    batches = [_data("real", s, shape=(15, 3)) for s in (9, 10)]
    got = feed(keras.metrics.R2Score(class_aggregation=aggregation), batches)
    np.testing.assert_allclose(got, _r2_ref(batches, aggregation), rtol=1e-5)


def test_r2_score_num_regressors():
    batches = [_data("real", 11, shape=(20, 2))]
    got = feed(keras.metrics.R2Score(num_regressors=3), batches)
    assert got == pytest.approx(_r2_ref(batches, num_regressors=3), rel=1e-5)


def test_r2_score_too_many_regressors_warns_and_falls_back():
    batches = [_data("real", 12, shape=(3, 2))]
    m = keras.metrics.R2Score(num_regressors=10)
    m.update_state(*batches[0][:2], sample_weight=batches[0][2])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        got = m.result()
    assert any("predictors" in str(x.message) for x in rec)
    assert got == pytest.approx(_r2_ref(batches), rel=1e-5)


def test_r2_score_rejects_rank1_inputs():
    with pytest.raises(ValueError, match="2D"):
        keras.metrics.R2Score().update_state(np.ones(4, "float32"), np.ones(4, "float32"))


def test_r2_reset_and_merge():
    b1, b2 = _data("real", 13, shape=(10, 2)), _data("real", 14, shape=(10, 2))
    a, b = keras.metrics.R2Score(), keras.metrics.R2Score()
    feed(a, [b2])
    a.reset_state()
    feed(a, [b1])
    feed(b, [b2])
    a.merge_state([b])
    assert a.result() == pytest.approx(_r2_ref([b1, b2]), rel=1e-5)
