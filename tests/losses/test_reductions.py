"""Loss classes: every reduction, 1-D and temporal 2-D sample weights, ignore_class masking and
class_weight_to_sample_weight, vs the NumPy Keras weighting/reduction (reference.reduce)."""
import numpy as np
import pytest

from pykerascore import losses

from . import reference as ref
from .helpers import evaluate

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none"]


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(np.float32), rng.normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["none", "1d", "column"])
def test_reduction_with_sample_weight(reduction, weights):
    t, p = _data((6, 3))
    sw = {"none": None, "1d": np.array([1, 0, 2, 0.5, 1, 3], np.float32),
          "column": np.array([[1], [0], [2], [0.5], [1], [3]], np.float32)}[weights]
    got = losses.MeanSquaredError(reduction=reduction)(t, p, sample_weight=sw)
    want = ref.reduce(ref.mean_squared_error(t.astype(float), p.astype(float)), sw, reduction)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["temporal", "per_sample"])
def test_temporal_values_and_weights(reduction, weights):
    # values (N, T) from (N, T, D) targets; weights (N, T) or (N,)
    t, p = _data((4, 5, 3), seed=1)
    rng = np.random.default_rng(2)
    sw = rng.uniform(0, 2, size=(4, 5) if weights == "temporal" else (4,)).astype(np.float32)
    got = losses.MeanAbsoluteError(reduction=reduction)(t, p, sample_weight=sw)
    want = ref.reduce(ref.mean_absolute_error(t.astype(float), p.astype(float)), sw, reduction)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_default_reduction_divides_by_batch_size_not_weight_sum():
    t, p = _data((4, 2))
    sw = np.array([1, 0, 0, 0], np.float32)
    v = ref.mean_squared_error(t.astype(float), p.astype(float))
    np.testing.assert_allclose(losses.MeanSquaredError()(t, p, sw), v[0] / 4, rtol=1e-6)


def test_rank1_targets_expand_and_scalar_values_weighted():
    # y (N,) against y_pred (N, 1): Keras expands the rank-1 side, values are (N,)
    t = np.array([0.0, 1.0, 1.0, 0.0], np.float32)
    p = np.array([[0.2], [0.7], [0.9], [0.4]], np.float32)
    got = losses.BinaryCrossentropy()(t, p, sample_weight=np.array([1, 2, 0, 1], np.float32))
    v = ref.binary_crossentropy(t[:, None].astype(float), p.astype(float))
    np.testing.assert_allclose(got, ref.reduce(v, np.array([1, 2, 0, 1.0])), rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ignore_class_masks_reduction(reduction):
    rng = np.random.default_rng(3)
    p = ref.softmax(rng.normal(size=(3, 4, 5))).astype(np.float32)
    labels = np.array([[0, 9, 3, 9], [9, 9, 2, 1], [4, 4, 9, 0]])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=9, reduction=reduction)
    v, valid = ref.sparse_categorical_crossentropy(labels, p.astype(float), ignore_class=9)
    np.testing.assert_allclose(loss(labels, p), ref.reduce(v, None, reduction, mask=valid), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean_with_sample_weight", "sum"])
def test_ignore_class_with_sample_weight(reduction):
    rng = np.random.default_rng(4)
    p = ref.softmax(rng.normal(size=(4, 3, 5))).astype(np.float32)
    labels = np.array([[0, 9, 3], [9, 9, 2], [4, 4, 9], [1, 2, 3]])
    sw = np.array([1.0, 2.0, 0.5, 0.0], np.float32)
    loss = losses.SparseCategoricalCrossentropy(ignore_class=9, reduction=reduction)
    v, valid = ref.sparse_categorical_crossentropy(labels, p.astype(float), ignore_class=9)
    np.testing.assert_allclose(loss(labels, p, sw), ref.reduce(v, sw, reduction, mask=valid), rtol=1e-6, atol=1e-7)


def test_ignore_class_all_ignored_gives_zero():
    p = np.full((2, 3), 1 / 3, np.float32)
    assert losses.SparseCategoricalCrossentropy(ignore_class=1)(np.array([1, 1]), p) == 0.0


def test_reduction_in_float64_graph():
    t, p = (a.astype(np.float64) for a in _data((5, 3)))
    sw = np.linspace(0.5, 2.0, 5)
    got = evaluate(lambda a, b, w: losses.Huber(reduction="mean_with_sample_weight", dtype="float64")(a, b, w),
                   [t, p, sw])
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref.reduce(ref.huber(t, p), sw, "mean_with_sample_weight"), rtol=1e-13)


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


# ---------------------------------------------------------------------- class_weight
def _keras_class_weights(y, table):
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, -1) if y.shape[-1] != 1 else y[..., 0]
    y = np.round(y).astype(int)
    return np.array([table.get(int(c), 1.0) for c in y.reshape(-1)]).reshape(y.shape)


@pytest.mark.parametrize("kind", ["sparse", "sparse_column", "one_hot", "float_labels"])
def test_class_weight_to_sample_weight(kind):
    table = {0: 0.5, 2: 3.0, 5: 7.0}
    labels = np.array([0, 1, 2, 2, 5, 4, 3])
    y = {"sparse": labels, "sparse_column": labels[:, None].astype(np.int64), "one_hot": np.eye(6)[labels],
         "float_labels": labels.astype(np.float32) + np.float32(0.2)}[kind]
    got = losses.class_weight_to_sample_weight(y, table)
    assert got.dtype == np.float32 and got.shape == (7,)
    np.testing.assert_allclose(got, _keras_class_weights(y, table))


def test_class_weight_rounds_half_to_even_like_numpy():
    y = np.array([0.5, 1.5, 2.5], np.float32)
    np.testing.assert_allclose(losses.class_weight_to_sample_weight(y, {0: 10.0, 1: 11.0, 2: 12.0}),
                               [10.0, 12.0, 12.0])


def test_class_weight_traced_float64():
    y = np.eye(3)[[2, 0, 1]]
    got = evaluate(lambda a: losses.class_weight_to_sample_weight(a, {1: 4.0}, dtype="float64"), [y])
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [1.0, 1.0, 4.0])


def test_class_weight_same_as_sample_weight_in_loss():
    rng = np.random.default_rng(5)
    p = ref.softmax(rng.normal(size=(6, 3))).astype(np.float32)
    labels = rng.integers(0, 3, 6)
    sw = losses.class_weight_to_sample_weight(labels, {0: 2.0, 1: 0.5})
    want = losses.SparseCategoricalCrossentropy()(labels, p, sample_weight=_keras_class_weights(labels, {0: 2.0, 1: 0.5}))
    np.testing.assert_allclose(losses.SparseCategoricalCrossentropy()(labels, p, sample_weight=sw), want, rtol=1e-7)
