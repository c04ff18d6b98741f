"""Native activation ops: forward vs NumPy (float32 and float64), gradient kernels vs central
differences in float64, autodiff wiring, softmax/log_softmax over any axes, large-magnitude
stability, shape-rule errors, and Dense epilogues using the added fusable activations."""
import math

import numpy as np
import pytest

from pykerascore.backend import core

from .helpers import build, check_gradients, randn, run_op

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def np_sigmoid(x):
    e = np.exp(-np.abs(x))  # stable on both tails
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def np_relu_general(x, slope, max_value, threshold):
    """Keras 3 relu(x, negative_slope, max_value, threshold), written from its definition."""
    pos = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        pos = np.clip(pos, 0.0, max_value)
    return pos - slope * np.maximum(threshold - x, 0.0)


def np_gelu(x, approximate):
    if approximate:
        u = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
        with np.errstate(over="ignore"):
            return x / (1 + np.exp(-2 * u))  # = x/2 (1 + tanh(u)) without cancelling for x << 0
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


def np_elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


# name -> (attrs, numpy reference in float64)
ELEMENTWISE = {
    "relu": ({}, lambda x: np.maximum(x, 0)),
    "sigmoid": ({}, np_sigmoid),
    "tanh": ({}, np.tanh),
    "relu6": ({}, lambda x: np.clip(x, 0, 6)),
    "hard_sigmoid": ({}, lambda x: np.clip(x + 3, 0, 6) / 6),
    "softplus": ({}, lambda x: np.logaddexp(x, 0.0)),
    "exponential": ({}, np.exp),
    "softsign": ({}, lambda x: x / (np.abs(x) + 1)),
    "silu": ({}, lambda x: x * np_sigmoid(x)),
    "selu": ({}, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA)),
    "elu": ({}, lambda x: np_elu(x, 1.0)),
    "elu[alpha=0.5]": ({"alpha": 0.5}, lambda x: np_elu(x, 0.5)),
    "elu[alpha=-0.3]": ({"alpha": -0.3}, lambda x: np_elu(x, -0.3)),
    "gelu": ({}, lambda x: np_gelu(x, True)),  # op default: approximate (keras.ops.gelu)
    "gelu[approximate=1]": ({"approximate": 1}, lambda x: np_gelu(x, True)),
    "gelu[approximate=0]": ({"approximate": 0}, lambda x: np_gelu(x, False)),
    "leaky_relu": ({}, lambda x: np.where(x >= 0, x, 0.2 * x)),
    "leaky_relu[s=0.1]": ({"negative_slope": 0.1}, lambda x: np.where(x >= 0, x, 0.1 * x)),
    "leaky_relu[s=0.1,max=2]": ({"negative_slope": 0.1, "max_value": 2.0},
                                lambda x: np_relu_general(x, 0.1, 2.0, 0.0)),
    "leaky_relu[s=0,t=0.5]": ({"negative_slope": 0.0, "threshold": 0.5},
                              lambda x: np_relu_general(x, 0.0, None, 0.5)),
    "leaky_relu[s=0,t=-0.5]": ({"negative_slope": 0.0, "threshold": -0.5},
                               lambda x: np_relu_general(x, 0.0, None, -0.5)),
    "leaky_relu[s=0.3,max=1.5,t=0.4]": ({"negative_slope": 0.3, "max_value": 1.5, "threshold": 0.4},
                                        lambda x: np_relu_general(x, 0.3, 1.5, 0.4)),
    "leaky_relu[s=0,max=4,t=-1]": ({"negative_slope": 0.0, "max_value": 4.0, "threshold": -1.0},
                                   lambda x: np_relu_general(x, 0.0, 4.0, -1.0)),
}
# The points where each piecewise op has a kink (kept away from in gradient checks).
KINKS = {"relu": [0], "relu6": [0, 6], "hard_sigmoid": [-3, 3], "elu": [0], "selu": [0], "softsign": [0],
         "leaky_relu": [0, 2, 0.5, -0.5, 1.5, 0.4, 4, -1]}


def op_name(key):
    return key.split("[")[0]


def sample(shape, seed, dtype, spread=4.0):
    x = np.random.default_rng(seed).uniform(-spread, spread, size=shape)
    kinks = np.array(sorted({k for ks in KINKS.values() for k in ks}))
    for _ in range(len(kinks)):  # nudge until finite differences stay off every kink
        near = np.abs(x[..., None] - kinks).min(-1) < 0.05
        x = np.where(near, x + 0.1, x)
    return x.astype(dtype)


# ----------------------------------------------------------------------------- forward
@pytest.mark.parametrize("key", sorted(ELEMENTWISE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_matches_numpy(key, dtype):
    attrs, ref = ELEMENTWISE[key]
    x = sample((3, 7), 1, dtype, spread=8.0)
    y = run_op(op_name(key), [x], attrs)
    assert y.dtype == np.dtype(dtype)
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(y, ref(x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("key", ["relu", "relu6", "hard_sigmoid", "leaky_relu[s=0.1,max=2]",
                                 "leaky_relu[s=0.3,max=1.5,t=0.4]"])
def test_forward_at_kinks_matches_numpy(key):
    attrs, ref = ELEMENTWISE[key]
    x = np.array([-3.0, -1.0, 0.0, 0.4, 1.5, 2.0, 3.0, 6.0, 7.0])
    np.testing.assert_allclose(run_op(op_name(key), [x], attrs), ref(x), rtol=0, atol=1e-15)


LARGE = np.array([-1e4, -1e3, -100.0, -88.0, -30.0, 30.0, 88.0, 100.0, 1e3, 1e4])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "softsign", "silu", "elu", "selu",
                                  "gelu", "hard_sigmoid", "relu6", "leaky_relu"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_magnitudes_stay_finite_and_exact(name, dtype):
    x = LARGE.astype(dtype)
    y = run_op(name, [x])
    assert np.all(np.isfinite(y)), y
    ref = ELEMENTWISE[name][1](x.astype(np.float64))
    tiny = 1e-37 if dtype == "float32" else 1e-300  # subnormals carry fewer digits
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=tiny)


def test_softplus_keeps_tiny_values_for_very_negative_inputs():
    x = np.array([-50.0, -80.0], np.float32)
    np.testing.assert_allclose(run_op("softplus", [x]), np.exp(x.astype(np.float64)), rtol=1e-6)


def test_gelu_exact_and_approximate_differ():
    x = np.array([-1.5, 0.7, 2.0], np.float64)
    exact = run_op("gelu", [x], {"approximate": 0})
    approx = run_op("gelu", [x], {"approximate": 1})
    assert np.max(np.abs(exact - approx)) > 1e-5


# ----------------------------------------------------------------------------- backward (float64)
GRAD_INPUT_IS_OUTPUT = {"relu", "sigmoid", "tanh", "relu6", "hard_sigmoid", "exponential"}


def vjp_by_differences(op, attrs, x, dy, eps=1e-6):
    """J(x)^T dy by central differences of the float64 forward op."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        xp, xm = flat.copy(), flat.copy()
        xp[i] += eps
        xm[i] -= eps
        fp = run_op(op, [xp.reshape(x.shape)], attrs)
        fm = run_op(op, [xm.reshape(x.shape)], attrs)
        gflat[i] = np.sum((fp - fm) * dy) / (2 * eps)
    return g


def grad_op_result(op, attrs, x, dy):
    second = run_op(op, [x], attrs) if op in GRAD_INPUT_IS_OUTPUT | {"softmax", "log_softmax"} else x
    return run_op(op + "_grad", [dy, second], attrs)


@pytest.mark.parametrize("key", sorted(ELEMENTWISE))
def test_grad_kernel_matches_finite_differences_float64(key):
    attrs, _ = ELEMENTWISE[key]
    op = op_name(key)
    x = sample((2, 5), 3, "float64")
    dy = np.random.default_rng(4).standard_normal(x.shape)
    got = grad_op_result(op, attrs, x, dy)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, vjp_by_differences(op, attrs, x, dy), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("key", sorted(ELEMENTWISE))
def test_grad_kernel_float32_matches_float64(key):
    attrs, _ = ELEMENTWISE[key]
    op = op_name(key)
    x = sample((3, 4), 5, "float64")
    dy = np.random.default_rng(6).standard_normal(x.shape)
    g64 = grad_op_result(op, attrs, x, dy)
    g32 = grad_op_result(op, attrs, x.astype(np.float32), dy.astype(np.float32))
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted(ELEMENTWISE))
def test_autodiff_uses_the_gradient_rule(key):
    attrs, _ = ELEMENTWISE[key]
    op = op_name(key)
    x = sample((2, 4), 7, "float32", spread=3.0)
    check_gradients(lambda g, ids: g.add_node(op, ids, attrs, op)[0], [x], [0])


def test_relu_family_gradients_at_known_points():
    x = np.array([-2.0, -0.5, 0.5, 1.0, 2.9, 7.0])
    dy = np.ones_like(x)
    np.testing.assert_array_equal(grad_op_result("relu6", {}, x, dy), [0, 0, 1, 1, 1, 0])
    np.testing.assert_array_equal(grad_op_result("hard_sigmoid", {}, x, dy), [1 / 6] * 5 + [0])
    leaky = {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.0}
    np.testing.assert_allclose(grad_op_result("leaky_relu", leaky, x, dy), [0.1, 0.1, 1, 1, 0, 0])
    thr = {"negative_slope": 0.25, "threshold": 0.75}
    np.testing.assert_allclose(grad_op_result("leaky_relu", thr, x, dy), [0.25, 0.25, 0.25, 1, 1, 1])


def test_gradients_finite_for_large_magnitudes():
    x = LARGE.astype(np.float32)
    dy = np.ones_like(x)
    for op in ["sigmoid", "tanh", "softplus", "softsign", "silu", "elu", "selu", "gelu"]:
        for attrs in ([{}, {"approximate": 0}] if op == "gelu" else [{}]):
            assert np.all(np.isfinite(grad_op_result(op, attrs, x, dy))), (op, attrs)


# ----------------------------------------------------------------------------- softmax / log_softmax
def np_softmax(x, axes):
    z = x - x.max(axis=axes, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axes, keepdims=True)


def np_log_softmax(x, axes):
    z = x - x.max(axis=axes, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axes, keepdims=True))


SOFTMAX_CASES = [((3, 5), [-1]), ((3, 5), [0]), ((2, 3, 4), [1]), ((2, 3, 4), [0]), ((2, 3, 4), [0, 2]),
                 ((2, 3, 4), [1, 2]), ((2, 3, 4), [0, 1, 2]), ((2, 3, 4), [-1, 0]), ((5,), [0])]
SOFTMAX_REF = {"softmax": np_softmax, "log_softmax": np_log_softmax}


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,axes", SOFTMAX_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_forward_over_axes(op, shape, axes, dtype):
    x = (np.random.default_rng(8).standard_normal(shape) * 3).astype(dtype)
    y = run_op(op, [x], {"axes": axes})
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(y, SOFTMAX_REF[op](x.astype(np.float64), tuple(axes)), rtol=tol, atol=tol)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_default_and_legacy_axis_attr_mean_last_axis(op):
    x = randn((3, 4), 9).astype(np.float64)
    ref = SOFTMAX_REF[op](x, (1,))
    np.testing.assert_allclose(run_op(op, [x]), ref, rtol=1e-13)
    np.testing.assert_allclose(run_op(op, [x], {"axis": -1}), ref, rtol=1e-13)
    g, (xi,) = build([x])
    with pytest.raises(ValueError, match="axes"):
        g.add_node(op, [xi], {"axis": 0}, "legacy")


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,axes", SOFTMAX_CASES)
def test_softmax_grad_over_axes_float64(op, shape, axes):
    attrs = {"axes": axes}
    x = np.random.default_rng(10).standard_normal(shape)
    dy = np.random.default_rng(11).standard_normal(shape)
    got = grad_op_result(op, attrs, x, dy)
    np.testing.assert_allclose(got, vjp_by_differences(op, attrs, x, dy), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axes", [[-1], [0], [0, 2]])
def test_softmax_autodiff_over_axes(op, axes):
    x = randn((2, 3, 4), 12)
    check_gradients(lambda g, ids: g.add_node(op, ids, {"axes": axes}, op)[0], [x], [0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_stable_for_huge_logits(dtype):
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e30, 0.0, 1e30]], dtype)
    y = run_op("softmax", [x])
    ly = run_op("log_softmax", [x])
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(ly))
    e = math.exp(-1.0)
    np.testing.assert_allclose(y[0], [1 / (1 + e), e / (1 + e), 0.0], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(ly[0, :2], [-math.log1p(e), -1 - math.log1p(e)], rtol=1e-6)
    np.testing.assert_allclose(y[1], [0.0, 0.0, 1.0])


def test_log_softmax_more_accurate_than_log_of_softmax():
    x = np.array([[0.0, -200.0]], np.float32)
    ly = run_op("log_softmax", [x])
    np.testing.assert_allclose(ly, [[0.0, -200.0]], rtol=1e-6)


def test_empty_axes_normalise_each_element_alone():
    x = randn((2, 3), 13)
    np.testing.assert_array_equal(run_op("softmax", [x], {"axes": []}), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(run_op("log_softmax", [x], {"axes": []}), np.zeros((2, 3), np.float32))


def test_softmax_zero_size_input():
    assert run_op("softmax", [np.zeros((0, 3), np.float32)]).shape == (0, 3)


# ----------------------------------------------------------------------------- shape-rule errors
@pytest.mark.parametrize("op", ["relu", "gelu", "leaky_relu", "softmax", "log_softmax", "exponential"])
def test_integer_input_is_a_type_error_naming_the_node(op):
    g, (x,) = build([np.zeros((2, 3), np.int32)])
    with pytest.raises(TypeError, match="my_layer"):
        g.add_node(op, [x], {}, "my_layer")


@pytest.mark.parametrize("axes", [[2], [-3], [0, 0], [1, -1]])
def test_softmax_bad_axes_are_value_errors(axes):
    g, (x,) = build([np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match="sm_layer"):
        g.add_node("softmax", [x], {"axes": axes}, "sm_layer")


def test_softmax_of_scalar_is_a_value_error():
    g, (x,) = build([np.zeros((), np.float32)])
    with pytest.raises(ValueError, match="rank"):
        g.add_node("log_softmax", [x], {}, "lsm")


def test_grad_op_shape_mismatch_is_a_value_error():
    g, (dy, x) = build([np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32)])
    with pytest.raises(ValueError, match="g_node.*\\(2, 3\\).*\\(3, 2\\)"):
        g.add_node("gelu_grad", [dy, x], {}, "g_node")


def test_non_finite_parameter_is_a_value_error():
    g, (x,) = build([np.zeros((2,), np.float32)])
    with pytest.raises(ValueError, match="alpha"):
        g.add_node("elu", [x], {"alpha": float("nan")}, "e")


# ----------------------------------------------------------------------------- fused Dense epilogues
FUSED = {"relu6": lambda z: np.clip(z, 0, 6), "hard_sigmoid": lambda z: np.clip(z + 3, 0, 6) / 6,
         "exponential": np.exp}


@pytest.mark.parametrize("act", sorted(FUSED))
def test_dense_with_added_fusable_activation_forward(act):
    x, w, b = randn((4, 3), 14), randn((3, 5), 15), randn((5,), 16)
    y = run_op("dense", [x, w, b], {"activation": act})
    z = x.astype(np.float64) @ w + b
    np.testing.assert_allclose(y, FUSED[act](z), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("act", sorted(FUSED))
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_with_added_fusable_activation_grad(act, use_bias):
    # Scaled so pre-activations stay inside the non-flat parts and away from the kinks.
    x, w, b = randn((4, 3), 17, scale=0.5), randn((3, 5), 18, scale=0.5), randn((5,), 19, scale=0.3)
    b = b + (3.0 if act == "relu6" else 0.0)
    arrays = [x, w, b.astype(np.float32)] if use_bias else [x, w]
    check_gradients(lambda g, ids: g.add_node("dense", ids, {"activation": act}, "d")[0], arrays,
                    list(range(len(arrays))))


def test_unfusable_activation_in_dense_is_a_value_error():
    g, ids = build([np.zeros((2, 3), np.float32), np.zeros((3, 4), np.float32)])
    with pytest.raises(ValueError, match="gelu"):
        g.add_node("dense", ids, {"activation": "gelu"}, "d")
