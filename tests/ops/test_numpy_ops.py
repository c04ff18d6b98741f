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


# ----------------------------------------------------------------------------- unary / binary, eager and traced
UNARY = [(ops.square, np.square), (ops.exp, np.exp), (ops.abs, np.abs), (ops.sign, np.sign),
         (ops.negative, np.negative)]


@pytest.mark.parametrize("fn,ref", UNARY)
def test_unary_eager_and_traced_agree_with_numpy(fn, ref):
    x = rnd((3, 4), 6)
    np.testing.assert_allclose(fn(x), ref(x), rtol=1e-6)
    val, out = traced(fn, x)
    assert out.shape == (3, 4) and out.dtype == "float32"
    np.testing.assert_allclose(val, ref(x), rtol=1e-6)


@pytest.mark.parametrize("fn,ref", [(ops.sqrt, np.sqrt), (ops.log, np.log), (ops.log1p, np.log1p)])
def test_positive_domain_unary(fn, ref):
    x = np.abs(rnd((5,), 7)) + 0.1
    np.testing.assert_allclose(fn(x), ref(x), rtol=1e-6)


@pytest.mark.parametrize("fn", [ops.sqrt, ops.exp, ops.log, ops.log1p])
def test_float_unary_of_ints_gives_float32(fn):
    out = fn(np.array([1, 2, 3], np.int32))
    assert out.dtype == np.float32


def test_clip_keras_signature():
    x = rnd((4, 4), 8)
    np.testing.assert_array_equal(ops.clip(x, -0.5, 0.5), np.clip(x, -0.5, 0.5))


def test_power_and_divide_dtypes():
    assert ops.divide(np.array([1, 2], np.int32), 2).dtype == np.float32
    np.testing.assert_allclose(ops.power(np.array([2.0, 3.0], np.float32), 2), [4, 9])


def test_int_add_stays_int():
    out = ops.add(np.array([1, 2], np.int32), 3)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [4, 5])


@pytest.mark.parametrize("fn,ref", [(ops.equal, np.equal), (ops.not_equal, np.not_equal), (ops.greater, np.greater),
                                    (ops.greater_equal, np.greater_equal), (ops.less, np.less),
                                    (ops.less_equal, np.less_equal)])
def test_comparisons_return_bool(fn, ref):
    a, b = np.round(rnd((3, 4), 9)), np.round(rnd((4,), 10))
    out = fn(a, b)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, ref(a, b))
    np.testing.assert_array_equal(fn(a, 0), ref(a, 0))


def test_logical_ops_on_numbers_use_truthiness():
    a, b = np.array([0.0, 1.0, 2.0, 0.0], np.float32), np.array([0, 0, 3, 1], np.int32)
    np.testing.assert_array_equal(ops.logical_and(a, b), np.logical_and(a, b))
    np.testing.assert_array_equal(ops.logical_or(a, b), np.logical_or(a, b))
    np.testing.assert_array_equal(ops.logical_xor(a, b), np.logical_xor(a, b))
    np.testing.assert_array_equal(ops.logical_not(a), np.logical_not(a))


def test_where_with_scalars():
    x = rnd((3, 3), 11)
    np.testing.assert_array_equal(ops.where(ops.greater(x, 0), x, 0.0), np.where(x > 0, x, 0.0))


def test_where_needs_both_branches():
    with pytest.raises(ValueError):
        ops.where(np.array([True]), np.ones(1))


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("fn,ref", [(ops.sum, np.sum), (ops.mean, np.mean), (ops.max, np.max), (ops.min, np.min)])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(fn, ref, axis, keepdims):
    x = rnd((2, 3, 4), 12)
    np.testing.assert_allclose(fn(x, axis=axis, keepdims=keepdims), ref(x, axis=axis, keepdims=keepdims), rtol=1e-5)


def test_mean_of_ints_is_float32():
    out = ops.mean(np.array([1, 2], np.int32))
    assert out.dtype == np.float32 and out == 1.5


def test_sum_of_bool_counts():
    out = ops.sum(np.array([True, False, True]))
    assert out == 2 and out.dtype == np.int32


def test_max_initial():
    np.testing.assert_array_equal(ops.max(np.array([[1.0, -3.0]], np.float32), axis=1, initial=2.0), [2.0])


@pytest.mark.parametrize("fn,ref", [(ops.argmax, np.argmax), (ops.argmin, np.argmin)])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_argmax_argmin(fn, ref, axis):
    x = rnd((3, 5), 13)
    out = fn(x, axis=axis)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, ref(x, axis=axis))


def test_argmax_keepdims_without_axis():
    x = rnd((2, 3), 14)
    np.testing.assert_array_equal(ops.argmax(x, keepdims=True), np.argmax(x, keepdims=True))


def test_reduction_traced_with_unknown_batch():
    g = symbolic.new_graph()
    x = symbolic.placeholder(g, (None, 4), "float32", "x")
    out = ops.mean(ops.square(x), axis=-1)
    assert out.shape == (None,)
    a = rnd((3, 4), 15)
    np.testing.assert_allclose(g.evaluate({x._vid: a}, [out._vid])[0], (a ** 2).mean(-1), rtol=1e-6)


# ----------------------------------------------------------------------------- shape ops
@pytest.mark.parametrize("axes", [None, (1, 0, 2), (2, 0, 1)])
def test_transpose(axes):
    x = rnd((2, 3, 4), 16)
    np.testing.assert_array_equal(ops.transpose(x, axes), np.transpose(x, axes))


@pytest.mark.parametrize("axis", [0, -1, 1, (0, 2)])
def test_expand_dims(axis):
    x = rnd((2, 3), 17)
    assert ops.expand_dims(x, axis).shape == np.expand_dims(x, axis).shape


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
def test_squeeze(axis):
    x = rnd((1, 3, 1), 18)
    assert ops.squeeze(x, axis).shape == np.squeeze(x, axis).shape


def test_one_hot():
    out = ops.one_hot(np.array([2, 0]), 3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0]])


def test_cast_to_bool_and_back():
    out = ops.cast(np.array([0.0, 2.0], np.float32), "bool")
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(ops.cast(out, "float32"), [0.0, 1.0])


def test_reshape_and_shape():
    x = rnd((2, 6), 19)
    y = ops.reshape(x, (3, -1))
    assert ops.shape(y) == (3, 4)


# ----------------------------------------------------------------------------- matmul / dot
@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                   ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (4,))])
def test_matmul_numpy_semantics(sa, sb):
    a, b = rnd(sa, 20), rnd(sb, 21)
    np.testing.assert_allclose(ops.matmul(a, b), np.matmul(a, b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4,)), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5)),
                                   ((2, 3, 4), (5, 4, 2)), ((), (2, 3)), ((4,), (2, 4, 3))])
def test_dot_numpy_semantics(sa, sb):
    a, b = rnd(sa, 22), rnd(sb, 23)
    np.testing.assert_allclose(ops.dot(a, b), np.dot(a, b), rtol=1e-5, atol=1e-6)


def test_matmul_traced_batch_unknown():
    g = symbolic.new_graph()
    x = symbolic.placeholder(g, (None, 3, 4), "float32", "x")
    out = ops.matmul(x, np.ones((4, 2), np.float32))
    assert out.shape == (None, 3, 2)


def test_matmul_traced_gradient_through_ops():
    """A custom-layer-style function traced from ops, differentiated natively, vs NumPy."""
    g = symbolic.new_graph()
    x = symbolic.placeholder(g, (2, 3, 4), "float32", "x")
    w = symbolic.placeholder(g, (4, 2), "float32", "w")
    h = ops.maximum(ops.matmul(x, w), 0.0)
    loss = ops.sum(ops.square(h))
    gw = g.gradients(loss._vid, [w._vid])[0]
    a, b = rnd((2, 3, 4), 24), rnd((4, 2), 25)
    got = g.evaluate({x._vid: a, w._vid: b}, [gw])[0]
    z = a @ b
    ref = np.einsum("bik,bij->kj", a, 2 * np.maximum(z, 0) * (z > 0))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
