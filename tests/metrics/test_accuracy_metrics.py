"""Accuracy metrics vs NumPy implementations of Keras's formulas."""

import numpy as np
import pytest

import pykerascore as keras
from .refs import feed, weighted_mean


def _rng():
    return np.random.default_rng(3)


def test_accuracy_elementwise_equality_weighted():
    r = _rng()
    t, p = r.integers(0, 3, size=(10, 2)).astype("float32"), r.integers(0, 3, size=(10, 2)).astype("float32")
    w = r.uniform(size=10).astype("float32")
    got = feed(keras.metrics.Accuracy(), [(t, p, w)])
    assert got == pytest.approx(weighted_mean([t == p], [w]), rel=1e-6)


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy(threshold):
    r = _rng()
    batches = [(r.integers(0, 2, size=(7, 1)).astype("float32"), r.uniform(size=(7, 1)).astype("float32"),
                r.uniform(size=7).astype("float32")) for _ in range(3)]
    got = feed(keras.metrics.BinaryAccuracy(threshold=threshold), batches)
    vals = [(t == (p > threshold)) for t, p, _ in batches]
    assert got == pytest.approx(weighted_mean(vals, [w for *_, w in batches]), rel=1e-6)


def test_binary_accuracy_rank1_labels_against_column_predictions():
    t = np.array([1, 0, 1, 0], "float32")
    p = np.array([[0.9], [0.2], [0.4], [0.6]], "float32")
    m = keras.metrics.BinaryAccuracy()
    m.update_state(t, p)
    assert m.result() == pytest.approx(0.5)


def test_categorical_accuracy():
    r = _rng()
    t = np.eye(4, dtype="float32")[r.integers(0, 4, size=12)]
    p = r.uniform(size=(12, 4)).astype("float32")
    w = r.uniform(size=12).astype("float32")
    got = feed(keras.metrics.CategoricalAccuracy(), [(t, p, w)])
    assert got == pytest.approx(weighted_mean([t.argmax(1) == p.argmax(1)], [w]), rel=1e-6)


@pytest.mark.parametrize("label_shape", [(12,), (12, 1)])
def test_sparse_categorical_accuracy(label_shape):
    r = _rng()
    t = r.integers(0, 4, size=12).astype("float32")
    p = r.uniform(size=(12, 4)).astype("float32")
    got = feed(keras.metrics.SparseCategoricalAccuracy(), [(t.reshape(label_shape), p)])
    assert got == pytest.approx(np.mean(t == p.argmax(1)), rel=1e-6)


def _in_top_k(target, p, k):
    at = p[np.arange(len(p)), target]
    return (1 + np.sum(p > at[:, None], axis=1)) <= k


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_categorical_accuracy(k):
    r = _rng()
    target = r.integers(0, 5, size=20)
    t = np.eye(5, dtype="float32")[target]
    p = r.uniform(size=(20, 5)).astype("float32")
    w = r.uniform(size=20).astype("float32")
    got = feed(keras.metrics.TopKCategoricalAccuracy(k=k), [(t, p, w)])
    assert got == pytest.approx(weighted_mean([_in_top_k(target, p, k)], [w]), rel=1e-6)


def test_sparse_top_k_counts_ties_in_favour():
    p = np.array([[0.5, 0.5, 0.1], [0.2, 0.3, 0.5]], "float32")
    t = np.array([1, 0], "float32")
    m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state(t, p)
    assert m.result() == pytest.approx(0.5)  # row 0: tie at the top counts as a hit


@pytest.mark.parametrize("k", [1, 3])
def test_sparse_top_k_categorical_accuracy(k):
    r = _rng()
    target = r.integers(0, 6, size=(15, 1))
    p = r.normal(size=(15, 6)).astype("float32")
    got = feed(keras.metrics.SparseTopKCategoricalAccuracy(k=k), [(target.astype("float32"), p)] * 2)
    assert got == pytest.approx(np.mean(_in_top_k(target[:, 0], p, k)), rel=1e-6)


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[2, 0, 1], [1, 2, 0]], "float32")
    t = np.array([0, 0], "float32")
    m = keras.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    m.update_state(t, ids)
    assert m.result() == pytest.approx(0.5)


def test_accuracy_reset_and_merge():
    a, b = keras.metrics.BinaryAccuracy(), keras.metrics.BinaryAccuracy()
    a.update_state(np.array([[1.0]], "float32"), np.array([[0.1]], "float32"))
    a.reset_state()
    a.update_state(np.array([[1.0], [0.0]], "float32"), np.array([[0.9], [0.9]], "float32"))
    b.update_state(np.array([[0.0]], "float32"), np.array([[0.1]], "float32"))
    a.merge_state([b])
    assert a.result() == pytest.approx(2 / 3)
