"""pykerascore.ops NumPy-like functions: eager on arrays and traced on symbolic tensors,
with Keras's signatures and dtype rules, compared with NumPy."""
import numpy as np
import pytest

from pykerascore import ops
from pykerascore.backend import symbolic


def rnd(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def traced(fn, *arrays):
    """Runs fn on placeholders in a fresh graph and evaluates the result on `arrays`."""
    g = symbolic.new_graph()
    xs = [symbolic.placeholder(g, a.shape, str(a.dtype), f"x{i}") for i, a in enumerate(arrays)]
    out = fn(*xs)
    return g.evaluate({x._vid: a for x, a in zip(xs, arrays)}, [out._vid])[0], out


# ----------------------------------------------------------------------------- concatenate / maximum / minimum
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_eager(axis):
    xs = [rnd((2, 3), 1), rnd((2, 3), 2)]
    np.testing.assert_array_equal(ops.concatenate(xs, axis=axis), np.concatenate(xs, axis))


def test_concatenate_default_axis_is_zero():
    xs = [rnd((1, 3), 1), rnd((2, 3), 2)]
    np.testing.assert_array_equal(ops.concatenate(xs), np.concatenate(xs))


def test_concatenate_traced_shape_and_value():
    a, b = rnd((2, 3), 1), rnd((2, 1), 2)
    val, out = traced(lambda x, y: ops.concatenate([x, y], axis=-1), a, b)
    assert out.shape == (2, 4)
    np.testing.assert_array_equal(val, np.concatenate([a, b], -1))


def test_concatenate_promotes_int_with_float():
    out = ops.concatenate([np.array([1, 2], np.int32), np.array([0.5], np.float32)])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [1, 2, 0.5])


@pytest.mark.parametrize("fn,ref", [(ops.maximum, np.maximum), (ops.minimum, np.minimum)])
def test_extremum_with_python_scalar_keeps_dtype(fn, ref):
    x = rnd((3, 4), 3)
    out = fn(x, 0.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, ref(x, 0.0))


@pytest.mark.parametrize("fn,ref", [(ops.maximum, np.maximum), (ops.minimum, np.minimum)])
def test_extremum_traced_broadcast(fn, ref):
    a, b = rnd((2, 1, 3), 4), rnd((4, 1), 5)
    val, out = traced(fn, a, b)
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(val, ref(a, b))


def test_extremum_int_tensor_with_float_scalar_gives_float32():
    out = ops.maximum(np.array([1, 5], np.int32), 2.5)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [2.5, 5.0])
