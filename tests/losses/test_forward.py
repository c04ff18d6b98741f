"""Per-sample values of every loss function and option vs the NumPy Keras formulas, in float32
(eager, on arrays) and float64 (traced with float64 placeholders)."""
import numpy as np
import pytest

from pykerascore import losses

from . import reference as ref
from .cases import CASES, case_id
from .helpers import evaluate


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_float32_values_match_reference(case):
    name, kw, data = case
    t, p = data(np.random.default_rng(0))
    got = getattr(losses, name)(t.astype(np.float32), p.astype(np.float32), **kw)
    with ref.float32_bounds():
        want = getattr(ref, name)(t.astype(np.float32).astype(np.float64), p.astype(np.float32).astype(np.float64), **kw)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_float64_values_match_reference(case):
    name, kw, data = case
    t, p = data(np.random.default_rng(1))
    got = evaluate(lambda a, b: getattr(losses, name)(a, b, **kw), [t, p])
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, getattr(ref, name)(t, p, **kw), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label_dtype", ["int32", "int64", "float32"])
def test_sparse_categorical_crossentropy(from_logits, label_dtype):
    rng = np.random.default_rng(2)
    p = rng.normal(size=(6, 5)) if from_logits else ref.softmax(rng.normal(size=(6, 5)))
    labels = rng.integers(0, 5, size=(6,)).astype(label_dtype)
    got = losses.sparse_categorical_crossentropy(labels, p.astype(np.float32), from_logits=from_logits)
    want, _ = ref.sparse_categorical_crossentropy(labels, p.astype(np.float32).astype(np.float64), from_logits)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_sparse_categorical_crossentropy_labels_with_trailing_one():
    rng = np.random.default_rng(3)
    p = ref.softmax(rng.normal(size=(4, 3))).astype(np.float32)
    labels = np.array([[0], [2], [1], [1]])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p),
                               ref.sparse_categorical_crossentropy(labels, p.astype(np.float64))[0], rtol=1e-5)


def test_sparse_categorical_crossentropy_ignore_class_zeroes_values():
    rng = np.random.default_rng(4)
    p = ref.softmax(rng.normal(size=(2, 3, 4))).astype(np.float32)
    labels = np.array([[0, 9, 3], [9, 1, 2]])
    got = losses.sparse_categorical_crossentropy(labels, p, ignore_class=9)
    want, valid = ref.sparse_categorical_crossentropy(labels, p.astype(np.float64), ignore_class=9)
    assert np.all(got[~valid] == 0)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_sparse_categorical_crossentropy_float64():
    rng = np.random.default_rng(5)
    p = ref.softmax(rng.normal(size=(4, 3)))
    labels = np.array([0, 2, 1, 1], np.int32)
    got = evaluate(lambda a, b: losses.sparse_categorical_crossentropy(a, b), [labels, p])
    np.testing.assert_allclose(got, ref.sparse_categorical_crossentropy(labels, p)[0], rtol=1e-12)


def test_rank3_temporal_values():
    rng = np.random.default_rng(6)
    t, p = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    got = losses.mean_squared_error(t.astype(np.float32), p.astype(np.float32))
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, ref.mean_squared_error(t, p), rtol=1e-5)


def test_hinge_keeps_labels_unless_all_binary():
    p = np.array([[0.3, -0.2, 0.8]], np.float32)
    # one label outside {0, 1}: no conversion anywhere in the batch
    t = np.array([[0.0, 1.0, 0.5]], np.float32)
    np.testing.assert_allclose(losses.hinge(t, p), np.mean(np.maximum(1 - t * p, 0), -1), rtol=1e-6)
    t01 = np.array([[0.0, 1.0, 1.0]], np.float32)
    np.testing.assert_allclose(losses.hinge(t01, p), np.mean(np.maximum(1 - (2 * t01 - 1) * p, 0), -1), rtol=1e-6)


def test_binary_crossentropy_clips_probabilities():
    t = np.array([[1.0, 0.0]], np.float32)
    p = np.array([[0.0, 1.0]], np.float32)  # certain and wrong: clipped to [eps, 1 - eps] in float32
    lo, hi = np.float64(np.float32(1e-7)), np.float64(np.float32(1 - 1e-7))
    np.testing.assert_allclose(losses.binary_crossentropy(t, p), [-(np.log(lo) + np.log(1 - hi)) / 2], rtol=1e-5)


def test_cosine_similarity_zero_vector_is_finite():
    t = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)
    p = np.array([[1.0, 1.0], [0.0, 0.0]], np.float32)
    np.testing.assert_array_equal(losses.cosine_similarity(t, p), [0.0, 0.0])


def test_kl_divergence_clips_both_sides():
    t = np.array([[0.0, 1.0]], np.float32)
    p = np.array([[0.5, 0.0]], np.float32)
    np.testing.assert_allclose(losses.kl_divergence(t, p), ref.kl_divergence(t.astype(float), p.astype(float)),
                               rtol=1e-5)


def test_categorical_crossentropy_one_class_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((3, 1), np.float32), np.ones((3, 1), np.float32))


def test_axis_bool_rejected():
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 3)), axis=True)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
                                  "cosine_similarity"])
def test_shape_mismatch_raises_naming_shapes(name):
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)|\(2, 4\).*\(2, 3\)"):
        getattr(losses, name)(np.ones((2, 3), np.float32), np.ones((2, 4), np.float32))


def test_sparse_label_out_of_range_raises():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        losses.sparse_categorical_crossentropy(np.array([0, 5]), np.full((2, 3), 1 / 3, np.float32))


def test_op_dtype_mismatch_raises_type_error_naming_node():
    from pykerascore.backend import core
    g = core.Graph()
    t = g.add_input("t", [2, 3], "float64")
    p = g.add_input("p", [2, 3], "float32")
    with pytest.raises(TypeError, match="my_bce"):
        g.add_node("binary_crossentropy", [t, p], {}, "my_bce")


def test_op_bad_axis_raises_value_error():
    from pykerascore.backend import core
    g = core.Graph()
    t = g.add_input("t", [2, 3], "float32")
    p = g.add_input("p", [2, 3], "float32")
    with pytest.raises(ValueError):
        g.add_node("categorical_crossentropy", [t, p], {"axis": 2}, "cce")
