"""Differential tests: pykerascore.ops vs keras.ops (JAX backend) on random inputs, forward
values and dtypes, and gradients (including JAX's tie conventions) through traced graphs."""
import numpy as np
import pytest

from pykerascore import ops
from pykerascore.backend import symbolic


def rnd(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


UNARY = ["square", "exp", "abs", "sign", "negative"]
POSITIVE = ["sqrt", "log", "log1p"]
BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "equal", "not_equal", "greater",
          "greater_equal", "less", "less_equal", "logical_and", "logical_or", "logical_xor"]
REDUCE = ["sum", "mean", "max", "min"]


def same(ours, theirs, rtol=1e-5):
    theirs = np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("name", UNARY + POSITIVE)
def test_unary(real_keras, name):
    x = rnd((3, 4), 1)
    if name in POSITIVE:
        x = np.abs(x) + 0.1
    same(getattr(ops, name)(x), getattr(real_keras.ops, name)(x))


@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcasting(real_keras, name):
    a, b = np.round(rnd((2, 1, 4), 2)), np.round(rnd((3, 1), 3))
    same(getattr(ops, name)(a, b), getattr(real_keras.ops, name)(a, b))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "divide", "power"])
@pytest.mark.parametrize("scalar", [2, 0.5])
def test_int_tensor_with_python_scalar_dtype(real_keras, name, scalar):
    x = np.array([1, 2, 3], np.int32)
    same(getattr(ops, name)(x, scalar), getattr(real_keras.ops, name)(x, scalar))


@pytest.mark.parametrize("name", REDUCE)
@pytest.mark.parametrize("axis", [None, 1, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(real_keras, name, axis, keepdims):
    x = rnd((2, 3, 4), 4)
    same(getattr(ops, name)(x, axis=axis, keepdims=keepdims), getattr(real_keras.ops, name)(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_arg_reductions(real_keras, name, axis):
    x = np.round(rnd((3, 5), 5))
    same(getattr(ops, name)(x, axis=axis), getattr(real_keras.ops, name)(x, axis=axis))


def test_mean_of_ints(real_keras):
    x = np.array([[1, 2], [3, 5]], np.int32)
    same(ops.mean(x, axis=0), real_keras.ops.mean(x, axis=0))


def test_clip_where_concatenate_transpose_one_hot(real_keras):
    k = real_keras.ops
    x, y = rnd((2, 3), 6), rnd((2, 3), 7)
    same(ops.clip(x, -0.3, 0.4), k.clip(x, -0.3, 0.4))
    same(ops.where(ops.greater(x, y), x, y), k.where(k.greater(x, y), x, y))
    same(ops.concatenate([x, y], axis=-1), k.concatenate([x, y], axis=-1))
    same(ops.transpose(rnd((2, 3, 4), 8), (2, 0, 1)), k.transpose(rnd((2, 3, 4), 8), (2, 0, 1)))
    same(ops.one_hot(np.array([1, 0, 2]), 3), k.one_hot(np.array([1, 0, 2]), 3))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                   ((4,), (4,))])
def test_matmul(real_keras, sa, sb):
    a, b = rnd(sa, 9), rnd(sb, 10)
    same(ops.matmul(a, b), real_keras.ops.matmul(a, b))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((2, 3, 4), (4,)), ((2, 3, 4), (5, 4, 2)), ((), (2, 2))])
def test_dot(real_keras, sa, sb):
    a, b = rnd(sa, 11), rnd(sb, 12)
    same(ops.dot(a, b), real_keras.ops.dot(a, b))


# ----------------------------------------------------------------------------- gradients vs jax.grad
def native_grad(fn, x):
    g = symbolic.new_graph()
    t = symbolic.placeholder(g, x.shape, "float32", "x")
    loss = fn(t)
    gid = g.gradients(loss._vid, [t._vid])[0]
    return g.evaluate({t._vid: x}, [gid])[0]


X_TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [0.0, -1.0, 0.5, 0.5]], np.float32)


@pytest.mark.parametrize("case", ["max", "min", "maximum", "minimum", "clip", "abs", "sqrt_log", "mean_where",
                                  "matmul_concat"])
def test_gradients_match_jax(real_keras, case):
    import jax

    def build(o):
        if case == "max":
            return lambda x: o.sum(o.multiply(o.max(x, axis=1), np.array([1.0, 2.0, 3.0], np.float32)))
        if case == "min":
            return lambda x: o.sum(o.min(x, axis=-1, keepdims=True))
        if case == "maximum":
            return lambda x: o.sum(o.square(o.maximum(x, 0.5)))
        if case == "minimum":
            return lambda x: o.sum(o.minimum(x, np.array([2.0, 2.0, 3.0, 0.0], np.float32)))
        if case == "clip":
            return lambda x: o.sum(o.multiply(o.clip(x, 0.0, 2.0), x))
        if case == "abs":
            return lambda x: o.sum(o.abs(o.subtract(x, 0.5)))
        if case == "sqrt_log":
            return lambda x: o.sum(o.log1p(o.sqrt(o.add(o.square(x), 1.0))))
        if case == "mean_where":
            return lambda x: o.mean(o.where(o.greater(x, 0.7), o.exp(x), o.negative(x)))
        return lambda x: o.sum(o.matmul(o.concatenate([x, o.square(x)], axis=0), o.transpose(x)))

    ours = native_grad(build(ops), X_TIES)
    theirs = np.asarray(jax.grad(build(real_keras.ops))(X_TIES))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
