"""Confusion metrics vs NumPy implementations of Keras's formulas: counts per threshold,
Precision / Recall with thresholds, top_k and class_id, and AUC (ROC, PR, summation methods,
multi-label, label weights, logits, custom thresholds), with weights, reset and merge."""

import numpy as np
import pytest

import pykerascore as keras
from .refs import auc_from_counts, auc_thresholds, confusion, divide_no_nan, feed


def _batches(n=3, shape=(16,), seed=0, weighted=True):
    r = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        t = r.integers(0, 2, size=shape).astype("float32")
        p = r.uniform(size=shape).astype("float32")
        w = r.uniform(size=shape[:1]).astype("float32") if weighted else None
        out.append((t, p, w))
    return out


def _ref_counts(batches, thresholds):
    total = 0
    for t, p, w in batches:
        ww = None if w is None else w.reshape(w.shape + (1,) * (p.ndim - 1))
        total = total + confusion(t, p, thresholds, ww)
    return total


@pytest.mark.parametrize("cls,row", [("TruePositives", 0), ("FalsePositives", 1), ("TrueNegatives", 2),
                                     ("FalseNegatives", 3)])
def test_condition_counts_default_threshold(cls, row):
    batches = _batches()
    got = feed(getattr(keras.metrics, cls)(), batches)
    assert isinstance(got, float)
    assert got == pytest.approx(_ref_counts(batches, [0.5])[row, 0], rel=1e-6)


@pytest.mark.parametrize("thresholds", [[0.2, 0.5, 0.9], [0.0, 0.25, 0.5, 0.75, 1.0]])
def test_condition_counts_threshold_lists(thresholds):
    # [0, .25, .5, .75, 1] is evenly spaced: Keras's bucketed path, same counts.
    batches = _batches(shape=(12, 3))
    got = feed(keras.metrics.FalseNegatives(thresholds=thresholds), batches)
    np.testing.assert_allclose(got, _ref_counts(batches, thresholds)[3], rtol=1e-6)


def test_thresholds_outside_unit_interval_rejected():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        keras.metrics.TruePositives(thresholds=[0.5, 1.5])


def test_precision_and_recall_thresholds():
    batches = _batches(shape=(20, 2))
    c = _ref_counts(batches, [0.3, 0.6])
    np.testing.assert_allclose(feed(keras.metrics.Precision(thresholds=[0.3, 0.6]), batches),
                               c[0] / (c[0] + c[1]), rtol=1e-6)
    np.testing.assert_allclose(feed(keras.metrics.Recall(thresholds=[0.3, 0.6]), batches),
                               c[0] / (c[0] + c[3]), rtol=1e-6)


def test_precision_empty_is_zero():
    assert keras.metrics.Precision().result() == 0.0


def _top_k_filter(p, k):
    out = np.full_like(p, -1e10, dtype=np.float64)
    for i, row in enumerate(p):
        idx = np.argsort(-row, kind="stable")[:k]
        out[i, idx] = row[idx]
    return out


@pytest.mark.parametrize("cls", ["Precision", "Recall"])
def test_top_k(cls):
    batches = _batches(shape=(10, 5), seed=4)
    got = feed(getattr(keras.metrics, cls)(top_k=2), batches)
    c = sum(confusion(t, _top_k_filter(p, 2), [-1e10], w[:, None]) for t, p, w in batches)
    den = c[0] + (c[1] if cls == "Precision" else c[3])
    assert got == pytest.approx(c[0, 0] / den[0], rel=1e-6)


@pytest.mark.parametrize("cls", ["Precision", "Recall"])
def test_class_id(cls):
    batches = _batches(shape=(10, 4), seed=5)
    got = feed(getattr(keras.metrics, cls)(class_id=2), batches)
    c = sum(confusion(t[:, 2], p[:, 2], [0.5], w) for t, p, w in batches)
    den = c[0] + (c[1] if cls == "Precision" else c[3])
    assert got == pytest.approx(c[0, 0] / den[0], rel=1e-6)


def test_class_id_with_top_k():
    batches = _batches(shape=(10, 4), seed=6)
    got = feed(keras.metrics.Precision(top_k=1, class_id=1), batches)
    c = sum(confusion(t[:, 1], _top_k_filter(p, 1)[:, 1], [-1e10], w) for t, p, w in batches)
    assert got == pytest.approx(divide_no_nan(c[0, 0], c[0, 0] + c[1, 0]), rel=1e-6)


def test_class_id_needs_rank2_predictions():
    with pytest.raises(ValueError, match="class_id"):
        keras.metrics.Precision(class_id=0).update_state(np.ones(3, "float32"), np.ones(3, "float32"))


def _auc_counts(batches, n=200, thresholds=None, sigmoid=False):
    th = auc_thresholds(n) if thresholds is None else thresholds
    total = 0
    for t, p, w in batches:
        if sigmoid:
            p = 1 / (1 + np.exp(-p.astype(np.float64)))
        ww = None if w is None else w.reshape(w.shape + (1,) * (p.ndim - 1))
        total = total + confusion(t, p, th, ww)
    return total


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("summation", ["interpolation", "minoring", "majoring"])
def test_auc_curves_and_summations(curve, summation):
    batches = _batches(n=4, shape=(64,), seed=8)
    got = feed(keras.metrics.AUC(curve=curve, summation_method=summation), batches)
    assert isinstance(got, float)
    assert got == pytest.approx(auc_from_counts(_auc_counts(batches), curve, summation), rel=1e-6, abs=1e-7)


def test_auc_num_thresholds_and_rank2_inputs_flattened():
    batches = _batches(n=2, shape=(20, 3), seed=9)
    got = feed(keras.metrics.AUC(num_thresholds=50), batches)
    assert got == pytest.approx(auc_from_counts(_auc_counts(batches, 50)), rel=1e-6)


def test_auc_scores_at_the_ends_are_counted():
    t = np.array([1, 0, 1, 0], "float32")
    p = np.array([1.0, 0.0, 1.0, 0.0], "float32")
    m = keras.metrics.AUC()
    m.update_state(t, p)
    assert m.true_positives[0] == 2 and m.true_positives[-1] == 0
    assert m.result() == pytest.approx(1.0)


def test_auc_custom_uneven_thresholds():
    batches = _batches(n=2, shape=(40,), seed=10)
    th = [0.1, 0.35, 0.5, 0.8]
    m = keras.metrics.AUC(thresholds=th)
    got = feed(m, batches)
    assert m.thresholds[0] < 0 and m.thresholds[-1] > 1
    assert got == pytest.approx(auc_from_counts(_auc_counts(batches, thresholds=[-1e-7] + th + [1 + 1e-7])), rel=1e-6)


def test_auc_from_logits():
    r = np.random.default_rng(11)
    t = r.integers(0, 2, size=50).astype("float32")
    z = r.normal(size=50).astype("float32") * 3
    got = feed(keras.metrics.AUC(from_logits=True), [(t, z, None)])
    assert got == pytest.approx(auc_from_counts(_auc_counts([(t, z, None)], sigmoid=True)), rel=1e-6)


@pytest.mark.parametrize("label_weights", [None, [0.2, 1.0, 3.0]])
def test_auc_multi_label(label_weights):
    batches = _batches(n=3, shape=(30, 3), seed=12)
    m = keras.metrics.AUC(multi_label=True, label_weights=label_weights)
    got = feed(m, batches)
    per_label = [auc_from_counts(_auc_counts([(t[:, j], p[:, j], w) for t, p, w in batches])) for j in range(3)]
    expect = np.mean(per_label) if label_weights is None else np.dot(per_label, label_weights) / np.sum(label_weights)
    assert got == pytest.approx(expect, rel=1e-6)


def test_auc_label_weights_without_multi_label_weight_the_counts():
    batches = _batches(n=2, shape=(30, 2), seed=13, weighted=False)
    lw = np.array([0.5, 2.0])
    got = feed(keras.metrics.AUC(label_weights=lw), batches)
    c = sum(confusion(t, p, auc_thresholds(200), np.broadcast_to(lw, p.shape)) for t, p, _ in batches)
    assert got == pytest.approx(auc_from_counts(c), rel=1e-6)


def test_auc_reset_and_merge():
    b1, b2 = _batches(n=1, seed=14), _batches(n=1, seed=15)
    a, b = keras.metrics.AUC(curve="PR"), keras.metrics.AUC(curve="PR")
    feed(a, b2)
    a.reset_state()
    feed(a, b1)
    feed(b, b2)
    a.merge_state([b])
    assert a.result() == pytest.approx(auc_from_counts(_auc_counts(b1 + b2), "PR"), rel=1e-6)


def test_multi_threshold_merge():
    batches = _batches(n=2, seed=16)
    a, b = keras.metrics.Recall(thresholds=[0.2, 0.7]), keras.metrics.Recall(thresholds=[0.2, 0.7])
    feed(a, batches[:1])
    feed(b, batches[1:])
    a.merge_state([b])
    c = _ref_counts(batches, [0.2, 0.7])
    np.testing.assert_allclose(a.result(), c[0] / (c[0] + c[3]), rtol=1e-6)


def test_confusion_weights_shape_error_names_metric():
    m = keras.metrics.TruePositives(name="tp_metric")
    with pytest.raises(ValueError, match="tp_metric"):
        m.update_state(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), sample_weight=np.ones((2, 3), "float32"))
