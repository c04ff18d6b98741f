"""Regularizer values (Keras formulas vs NumPy) on arrays, Variables and traced tensors, and
get / serialize / deserialize with Keras's names."""

import numpy as np
import pytest

from pykerascore import regularizers as R
from pykerascore.backend import symbolic
from pykerascore.backend.variables import Variable

W = np.array([[0.5, -1.5, 2.0], [-0.25, 0.0, 3.0]], dtype="float32")


def test_l1_value():
    np.testing.assert_allclose(R.L1(0.3)(W), 0.3 * np.abs(W).sum(), rtol=1e-6)


def test_l2_value():
    np.testing.assert_allclose(R.L2(0.2)(W), 0.2 * np.square(W).sum(), rtol=1e-6)


def test_l1l2_value_and_zero_terms():
    np.testing.assert_allclose(R.L1L2(0.1, 0.2)(W), 0.1 * np.abs(W).sum() + 0.2 * np.square(W).sum(), rtol=1e-6)
    assert float(R.L1L2()(W)) == 0.0


def test_defaults_are_keras():
    assert R.L1().l1 == pytest.approx(0.01) and R.L2().l2 == 0.01
    assert (R.L1L2().l1, R.L1L2().l2) == (0.0, 0.0)


def test_keras_docstring_example_l2_of_ones():
    assert float(R.L2(2.0)(np.ones((5, 5), "float32"))) == 50.0


def test_value_on_a_variable_is_evaluated_eagerly():
    v = Variable(W, shape=W.shape)
    np.testing.assert_allclose(R.L2(0.5)(v), 0.5 * np.square(W).sum(), rtol=1e-6)


def test_traced_tensor_gives_a_graph_scalar():
    graph = symbolic.new_graph()
    x = symbolic.placeholder(graph, W.shape, "float32")
    with symbolic.tracing(graph):
        out = R.L1L2(0.1, 0.2)(x)
    assert isinstance(out, symbolic.KerasTensor) and out.shape == ()
    (value,) = graph.evaluate({x._vid: W}, [out._vid])
    np.testing.assert_allclose(value, 0.1 * np.abs(W).sum() + 0.2 * np.square(W).sum(), rtol=1e-6)


def test_float64_input_keeps_float64():
    w = W.astype("float64")
    graph = symbolic.new_graph()
    x = symbolic.placeholder(graph, w.shape, "float64")
    with symbolic.tracing(graph):
        out = R.L2(0.1)(x)
    assert out.dtype == "float64"


def _orthogonal_reference(x, factor, mode):
    x = x.astype("float64")
    axis = 1 if mode == "rows" else 0
    u = x / np.sqrt(np.maximum(np.sum(x * x, axis=axis, keepdims=True), 1e-14))
    p = u @ u.T if mode == "rows" else u.T @ u
    size = p.shape[0]
    return factor * 0.5 * np.abs(p * (1 - np.eye(size))).sum() / (size * (size - 1) / 2)


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer_value(mode):
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    np.testing.assert_allclose(R.OrthogonalRegularizer(0.2, mode)(x), _orthogonal_reference(x, 0.2, mode), rtol=1e-5)


def test_orthogonal_regularizer_checks_rank_and_mode():
    with pytest.raises(ValueError, match="rank 2"):
        R.OrthogonalRegularizer()(np.ones(3, "float32"))
    with pytest.raises(ValueError, match="mode"):
        R.OrthogonalRegularizer(mode="diag")


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1"])
def test_invalid_factor_raises(bad):
    with pytest.raises(ValueError, match="non-negative float"):
        R.L2(bad)


NAMES = {"l1": R.L1, "L1": R.L1, "l2": R.L2, "L2": R.L2, "l1l2": R.L1L2, "L1L2": R.L1L2,
         "orthogonal_regularizer": R.OrthogonalRegularizer, "OrthogonalRegularizer": R.OrthogonalRegularizer}


@pytest.mark.parametrize("name,cls", sorted(NAMES.items()))
def test_get_by_name(name, cls):
    assert type(R.get(name)) is cls


def test_l1_l2_string_is_not_a_keras_name():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        R.get("l1_l2")


def test_function_style_aliases():
    assert R.l1 is R.L1 and R.l2 is R.L2 and R.l1_l2 is R.L1L2


def test_serialize_round_trip_and_keras_configs():
    assert R.serialize(R.L2(0.5)) == {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.5},
                                      "registered_name": None}
    assert R.L1(0.01).get_config() == {"l1": float(np.float32(0.01))}  # Keras keeps l1 as float32
    for reg in (R.L1(0.2), R.L2(0.3), R.L1L2(0.1, 0.4), R.OrthogonalRegularizer(0.5, "columns")):
        back = R.deserialize(R.serialize(reg))
        assert type(back) is type(reg) and back.get_config() == reg.get_config()
    assert R.serialize(None) is None and R.get(None) is None


def test_get_passes_callables_through():
    fn = lambda x: 0.0  # noqa: E731
    assert R.get(fn) is fn
    with pytest.raises(ValueError):
        R.get(3)
