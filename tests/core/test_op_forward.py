"""Forward kernels of every native op vs a NumPy reference."""
import numpy as np
import pytest

from pykerascore.backend import core

from .helpers import build, randn, run_op

EPS = 1e-7


def np_act(name, z):
    if name == "linear":
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    raise ValueError(name)


def np_softmax(z):
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_every_registered_op_is_known():
    expected = {
        "dense", "matmul", "dense_weight_grad", "dense_input_grad", "dense_act_grad", "bias_grad",
        "relu", "sigmoid", "tanh", "relu_grad", "sigmoid_grad", "tanh_grad", "softmax", "softmax_grad",
        "add", "subtract", "multiply", "divide", "negative", "sum_to_shape", "zeros_like", "copy",
        "reshape", "cast", "mean_squared_error", "sparse_categorical_crossentropy", "reduce_loss",
        "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy", "metric_mean_update",
        "batch_size",
    }
    assert expected <= set(core.op_names())


# ----------------------------------------------------------------------------- dense / matmul
@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense(activation, use_bias):
    x, w, b = randn((5, 3), 1), randn((3, 4), 2), randn((4,), 3)
    ins = [x, w, b] if use_bias else [x, w]
    y = run_op("dense", ins, {"activation": activation})
    z = x.astype(np.float64) @ w + (b if use_bias else 0)
    assert y.shape == (5, 4) and y.dtype == np.float32
    np.testing.assert_allclose(y, np_act(activation, z), rtol=1e-5, atol=1e-5)


def test_dense_default_activation_is_linear():
    x, w = randn((2, 3), 1), randn((3, 2), 2)
    np.testing.assert_allclose(run_op("dense", [x, w]), x @ w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_dense_rank3_input(activation):
    x, w, b = randn((2, 5, 3), 1), randn((3, 4), 2), randn((4,), 3)
    y = run_op("dense", [x, w, b], {"activation": activation})
    assert y.shape == (2, 5, 4)
    np.testing.assert_allclose(y, np_act(activation, np.einsum("bti,io->bto", x, w) + b), rtol=1e-5, atol=1e-5)


def test_dense_unknown_activation_raises():
    g, (x, w) = build([randn((2, 3)), randn((3, 4))])
    with pytest.raises(ValueError, match="softplus"):
        g.add_node("dense", [x, w], {"activation": "softplus"}, "d")


@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
def test_matmul_transposes(ta, tb):
    a = randn((4, 3) if ta else (3, 4), 1)
    b = randn((5, 4) if tb else (4, 5), 2)
    y = run_op("matmul", [a, b], {"transpose_a": ta, "transpose_b": tb})
    ref = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b)
    assert y.shape == (3, 5)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- activations
@pytest.mark.parametrize("op", ["relu", "sigmoid", "tanh"])
def test_activation(op):
    x = randn((3, 7), 4, scale=3.0)
    np.testing.assert_allclose(run_op(op, [x]), np_act(op, x.astype(np.float64)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op", ["sigmoid", "tanh"])
def test_activation_saturates_without_nan(op):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)
    y = run_op(op, [x])
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, np_act(op, x.astype(np.float64)), atol=1e-6)


def test_relu_zero_and_negative():
    x = np.array([-2.0, -0.0, 0.0, 1.5], np.float32)
    np.testing.assert_array_equal(run_op("relu", [x]), [0.0, 0.0, 0.0, 1.5])


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 6), (7,)])
def test_softmax_matches_reference_and_rows_sum_to_one(shape):
    x = randn(shape, 5, scale=2.0)
    y = run_op("softmax", [x])
    np.testing.assert_allclose(y, np_softmax(x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-6)


def test_softmax_large_inputs_stable():
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0], [1e30, 0.0, -1e30]], np.float32)
    y = run_op("softmax", [x])
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y[0], np_softmax([0.0, 1.0, 2.0]), rtol=1e-5)
    np.testing.assert_allclose(y[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(y[2], [1.0, 0.0, 0.0], atol=1e-7)


def test_softmax_non_last_axis_rejected():
    g, (x,) = build([randn((2, 3))])
    with pytest.raises(ValueError):
        g.add_node("softmax", [x], {"axis": 0}, "sm")


def test_softmax_explicit_last_axis_accepted():
    x = randn((2, 3), 1)
    np.testing.assert_allclose(run_op("softmax", [x], {"axis": 1}), np_softmax(x), rtol=1e-5)


# ----------------------------------------------------------------------------- elementwise
BINARY = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
}
SHAPES = [
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 1, 4), (3, 1)),
    ((2, 3), ()),
    ((), (2, 3)),
    ((1,), (4, 2)),
]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("sa,sb", SHAPES)
def test_binary_broadcasting(op, sa, sb):
    a = randn(sa, 1, away_from_zero=0.5)
    b = randn(sb, 2, away_from_zero=0.5)
    y = run_op(op, [a, b])
    ref = BINARY[op](a.astype(np.float64), b.astype(np.float64))
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_with_scalar_constant(op):
    g, (x,) = build([randn((2, 3), 1)])
    c = g.add_constant(np.array(2.5, np.float32))
    x_np = randn((2, 3), 1)
    y1 = g.add_node(op, [x, c], {}, "xc")[0]
    y2 = g.add_node(op, [c, x], {}, "cx")[0]
    r1, r2 = g.evaluate({x: x_np}, [y1, y2])
    np.testing.assert_allclose(r1, BINARY[op](x_np, np.float32(2.5)), rtol=1e-6)
    np.testing.assert_allclose(r2, BINARY[op](np.float32(2.5), x_np), rtol=1e-6)


def test_binary_dtype_mismatch_raises_type_error():
    g, (a, b) = build([randn((2,)), np.zeros((2,), np.int32)])
    with pytest.raises(TypeError):
        g.add_node("add", [a, b], {}, "mix")


def test_negative():
    x = randn((3, 4), 1)
    np.testing.assert_array_equal(run_op("negative", [x]), -x)


def test_copy():
    x = randn((3, 4), 1)
    np.testing.assert_array_equal(run_op("copy", [x]), x)


def test_zeros_like():
    x = randn((3, 4), 1)
    y = run_op("zeros_like", [x])
    assert y.shape == (3, 4)
    np.testing.assert_array_equal(y, 0.0)


@pytest.mark.parametrize("xs,like", [((2, 3), (3,)), ((2, 3), (2, 1)), ((2, 3), (1, 3)), ((4, 2, 3), (2, 1)),
                                     ((2, 3), ()), ((2, 3), (2, 3))])
def test_sum_to_shape(xs, like):
    x = randn(xs, 1)
    y = run_op("sum_to_shape", [x, np.zeros(like, np.float32)])
    # reference: sum over the broadcast axes
    lead = len(xs) - len(like)
    ref = x.astype(np.float64).sum(axis=tuple(range(lead))) if lead else x.astype(np.float64)
    axes = tuple(i for i, d in enumerate(like) if d == 1 and ref.shape[i] != 1)
    if axes:
        ref = ref.sum(axis=axes, keepdims=True)
    assert y.shape == like
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- reshape / cast
@pytest.mark.parametrize("src,target,expected", [
    ((2, 6), [3, -1], (3, 4)),
    ((2, 6), [-1], (12,)),
    ((2, 3, 4), [2, -1], (2, 12)),
    ((12,), [2, 2, 3], (2, 2, 3)),
])
def test_reshape(src, target, expected):
    x = randn(src, 1)
    y = run_op("reshape", [x], {"shape": target})
    assert y.shape == expected
    np.testing.assert_array_equal(y, x.reshape(expected))


def test_reshape_static_shape_infers_minus_one():
    g, (x,) = build([randn((2, 6))])
    y = g.add_node("reshape", [x], {"shape": [4, -1]}, "r")[0]
    assert tuple(g.shape(y)) == (4, 3)


@pytest.mark.parametrize("target", [[5, -1], [4, 4], [-1, -1]])
def test_reshape_bad_target_raises(target):
    g, (x,) = build([randn((2, 6))])
    with pytest.raises(ValueError):
        g.add_node("reshape", [x], {"shape": target}, "r")


def test_cast_float_to_int32_truncates_toward_zero():
    x = np.array([1.7, -1.7, 2.5, -2.5, 0.2, -0.2, 3.99], np.float32)
    y = run_op("cast", [x], {"dtype": "int32"})
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, x.astype(np.int32))
    np.testing.assert_array_equal(y, [1, -1, 2, -2, 0, 0, 3])


@pytest.mark.parametrize("src", ["int32", "int64", "uint8"])
def test_cast_int_to_float(src):
    x = np.array([0, 1, 7, 200], dtype=src)
    y = run_op("cast", [x], {"dtype": "float32"})
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x.astype(np.float32))


def test_cast_shape_inference_dtype():
    g, (x,) = build([randn((2, 3))])
    y = g.add_node("cast", [x], {"dtype": "int32"}, "c")[0]
    assert g.dtype(y) == "int32" and tuple(g.shape(y)) == (2, 3)


# ----------------------------------------------------------------------------- losses
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (6, 1)])
def test_mean_squared_error(shape):
    t, p = randn(shape, 1), randn(shape, 2)
    y = run_op("mean_squared_error", [t, p])
    ref = ((t.astype(np.float64) - p) ** 2).mean(-1)
    assert y.shape == shape[:-1]
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-7)


def np_scce(labels, p, from_logits=False):
    p = np.asarray(p, np.float64)
    labels = np.asarray(labels).astype(np.int64)
    if from_logits:
        m = p.max(-1, keepdims=True)
        logp = p - m - np.log(np.exp(p - m).sum(-1, keepdims=True))
    else:
        q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
        logp = np.log(q)
    return -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]


def probs(shape, seed):
    return np_softmax(randn(shape, seed)).astype(np.float32)


def test_scce_from_probabilities():
    p = probs((5, 4), 1)
    labels = np.array([0, 3, 1, 2, 3], np.int32)
    y = run_op("sparse_categorical_crossentropy", [labels, p])
    assert y.shape == (5,)
    np.testing.assert_allclose(y, np_scce(labels, p), rtol=1e-5)


def test_scce_renormalises_unnormalised_probabilities():
    p = np.array([[1.0, 2.0, 1.0], [0.5, 0.5, 3.0]], np.float32)  # rows sum to 4
    labels = np.array([1, 2], np.int32)
    y = run_op("sparse_categorical_crossentropy", [labels, p])
    np.testing.assert_allclose(y, [-np.log(0.5), -np.log(0.75)], rtol=1e-6)


def test_scce_zero_probability_clipped_to_epsilon():
    p = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
    labels = np.array([0, 0], np.int32)
    y = run_op("sparse_categorical_crossentropy", [labels, p])
    np.testing.assert_allclose(y[0], -np.log(1e-7), rtol=1e-5)
    # a certain, correct prediction is clipped at 1 - 1e-7 (float32)
    np.testing.assert_allclose(y[1], -np.log(np.float32(1 - 1e-7)), rtol=1e-2, atol=1e-7)
    assert y[1] >= 0.0


def test_scce_from_logits():
    z = randn((5, 4), 2, scale=3.0)
    labels = np.array([0, 3, 1, 2, 3], np.int32)
    y = run_op("sparse_categorical_crossentropy", [labels, z], {"from_logits": 1})
    np.testing.assert_allclose(y, np_scce(labels, z, from_logits=True), rtol=1e-5, atol=1e-6)


def test_scce_from_logits_large_values_stable():
    z = np.array([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]], np.float32)
    labels = np.array([0, 1], np.int32)
    y = run_op("sparse_categorical_crossentropy", [labels, z], {"from_logits": 1})
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y, [0.0, 1000.0], atol=1e-3)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64", "uint8"])
def test_scce_label_dtypes(dtype):
    p = probs((4, 3), 3)
    labels = np.array([2, 0, 1, 2], dtype=dtype)
    y = run_op("sparse_categorical_crossentropy", [labels, p])
    np.testing.assert_allclose(y, np_scce(labels, p), rtol=1e-5)


def test_scce_rank3():
    p = probs((2, 3, 4), 4)
    labels = np.array([[0, 1, 3], [2, 2, 0]], np.int64)
    y = run_op("sparse_categorical_crossentropy", [labels, p])
    assert y.shape == (2, 3)
    np.testing.assert_allclose(y, np_scce(labels, p), rtol=1e-5)


@pytest.mark.parametrize("bad", [3, -1, 7])
@pytest.mark.parametrize("from_logits", [0, 1])
def test_scce_label_out_of_range_raises(bad, from_logits):
    p = probs((2, 3), 5)
    labels = np.array([0, bad], np.int32)
    with pytest.raises(ValueError, match=r"\[0, 3\)") as ei:
        run_op("sparse_categorical_crossentropy", [labels, p], {"from_logits": from_logits}, name="my_loss")
    assert str(bad) in str(ei.value)
    assert "my_loss" in str(ei.value)


def test_scce_label_shape_mismatch_raises():
    g, (t, p) = build([np.zeros((3,), np.int32), probs((2, 3), 1)])
    with pytest.raises(ValueError):
        g.add_node("sparse_categorical_crossentropy", [t, p], {}, "scce")


# ----------------------------------------------------------------------------- reduce_loss
def np_reduce(v, w, reduction):
    v = np.asarray(v, np.float64)
    wv = v * (1.0 if w is None else np.asarray(w, np.float64))
    s = wv.sum()
    if reduction == "sum":
        return s
    if reduction == "mean_with_sample_weight" and w is not None:
        return s / np.broadcast_to(w, v.shape).sum()
    return s / v.size


REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_reduce_loss(reduction, weighted):
    v = np.abs(randn((6,), 1))
    w = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0], np.float32) if weighted else None
    y = run_op("reduce_loss", [v, w] if weighted else [v], {"reduction": reduction})
    assert y.shape == ()
    np.testing.assert_allclose(y, np_reduce(v, w, reduction), rtol=1e-6)


def test_reduce_loss_default_is_sum_over_batch_size():
    v = np.abs(randn((4,), 2))
    w = np.array([1.0, 0.0, 0.0, 0.0], np.float32)
    # Keras: weighted sum divided by the number of values, not by the sum of the weights
    np.testing.assert_allclose(run_op("reduce_loss", [v, w]), v[0] / 4, rtol=1e-6)


def test_reduce_loss_rank2_values():
    v = randn((3, 4), 3)
    np.testing.assert_allclose(run_op("reduce_loss", [v]), v.astype(np.float64).mean(), rtol=1e-5, atol=1e-7)


def test_reduce_loss_all_zero_weights_gives_zero():
    v = np.abs(randn((3,), 4))
    w = np.zeros((3,), np.float32)
    assert run_op("reduce_loss", [v, w], {"reduction": "mean_with_sample_weight"}) == 0.0


def test_reduce_loss_invalid_reduction():
    g, (v,) = build([randn((3,))])
    with pytest.raises(ValueError, match="bogus"):
        g.add_node("reduce_loss", [v], {"reduction": "bogus"}, "r")


# ----------------------------------------------------------------------------- metrics
def test_sparse_categorical_accuracy():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.3, 0.4]], np.float32)
    labels = np.array([1, 1, 2, 0], np.int32)
    np.testing.assert_array_equal(run_op("sparse_categorical_accuracy", [labels, p]), [1, 0, 1, 0])


@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_sparse_categorical_accuracy_label_dtypes(dtype):
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], np.float32)
    labels = np.array([1, 0], dtype)
    np.testing.assert_array_equal(run_op("sparse_categorical_accuracy", [labels, p]), [1, 1])


def test_sparse_categorical_accuracy_ties_first_max_wins():
    p = np.array([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.1, 0.45, 0.45]], np.float32)
    labels = np.array([0, 1, 1], np.int32)
    np.testing.assert_array_equal(run_op("sparse_categorical_accuracy", [labels, p]), [1, 0, 1])


def test_categorical_accuracy():
    t = np.eye(3, dtype=np.float32)[[1, 0, 2, 2]]
    p = np.array([[0.1, 0.7, 0.2], [0.2, 0.5, 0.3], [0.2, 0.2, 0.6], [0.6, 0.3, 0.1]], np.float32)
    np.testing.assert_array_equal(run_op("categorical_accuracy", [t, p]), [1, 0, 1, 0])


def test_categorical_accuracy_ties_first_max_wins():
    t = np.eye(3, dtype=np.float32)[[0, 1]]
    p = np.array([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]], np.float32)
    np.testing.assert_array_equal(run_op("categorical_accuracy", [t, p]), [1, 0])


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8])
def test_binary_accuracy(threshold):
    t = np.array([[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]], np.float32)
    p = np.array([[0.9, 0.4, 0.6, 0.1], [0.2, 0.55, 0.31, 0.5], [0.81, 0.5, 0.3, 0.0]], np.float32)
    y = run_op("binary_accuracy", [t, p], {"threshold": threshold})
    ref = (t == (p > threshold).astype(np.float32)).mean(-1)
    np.testing.assert_allclose(y, ref, rtol=1e-6)


def test_binary_accuracy_at_threshold_is_negative():
    t = np.array([[1.0, 0.0]], np.float32)
    p = np.array([[0.5, 0.5]], np.float32)  # 0.5 > 0.5 is False -> predicted 0
    np.testing.assert_allclose(run_op("binary_accuracy", [t, p]), [0.5])


def test_batch_size():
    g, (x,) = build([np.zeros((7, 3), np.float32)])
    b = g.add_node("batch_size", [x], {}, "bs")[0]
    assert g.shape(b) in ((), [])
    assert g.evaluate({x: np.zeros((7, 3), np.float32)}, [b])[0] == 7.0


def test_batch_size_follows_fed_batch():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    b = g.add_node("batch_size", [x], {}, "bs")[0]
    assert g.evaluate({x: np.zeros((5, 3), np.float32)}, [b])[0] == 5.0
    assert g.evaluate({x: np.zeros((2, 3), np.float32)}, [b])[0] == 2.0


# metric_mean_update has no outputs (it writes into its state variable), so it is driven
# through a "test" Program, which keeps every stateful node.
def mean_update_program(value_shape, weight_shape=None, batch_size=4):
    g = core.Graph()
    state = core.Variable("state", (2,), "float32", False)
    s = g.add_variable(state)
    v = g.add_input("v", [None, *value_shape[1:]], "float32")
    feeds = [v]
    ins = [s, v]
    if weight_shape is not None:
        w = g.add_input("w", [None, *weight_shape[1:]], "float32")
        feeds.append(w)
        ins.append(w)
    g.add_node("metric_mean_update", ins, {}, "mean")
    return core.Program("test", g, feeds, [], -1, None, None, batch_size), state


def run_program(p, arrays):
    p.set_inputs(arrays, [f"a{i}" for i in range(len(arrays))])
    p.begin_epoch("none", 0, 0)
    return p.run(0, 1000)


def test_metric_mean_update_accumulates_over_runs():
    p, state = mean_update_program((None,), batch_size=3)
    v1 = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    v2 = np.array([10.0, 20.0], np.float32)
    assert run_program(p, [v1]) == 2  # 3 + 1 rows
    np.testing.assert_allclose(state.numpy(), [10.0, 4.0])
    run_program(p, [v2])
    np.testing.assert_allclose(state.numpy(), [40.0, 6.0])


def test_metric_mean_update_starts_from_assigned_state():
    p, state = mean_update_program((None,), batch_size=8)
    state.assign(np.array([5.0, 1.0], np.float32))
    run_program(p, [np.array([1.0, 3.0], np.float32)])
    np.testing.assert_allclose(state.numpy(), [9.0, 3.0])


def test_metric_mean_update_with_weights():
    p, state = mean_update_program((None,), (None,), batch_size=4)
    v = np.arange(10, dtype=np.float32)
    w = np.linspace(0.0, 2.0, 10).astype(np.float32)
    run_program(p, [v, w])
    np.testing.assert_allclose(state.numpy(), [(v * w).sum(), w.sum()], rtol=1e-6)


def test_metric_mean_update_trailing_dims_reduced_by_mean():
    p, state = mean_update_program((None, 3), batch_size=4)
    v = randn((5, 3), 7)
    run_program(p, [v])
    np.testing.assert_allclose(state.numpy(), [v.mean(-1).sum(), 5.0], rtol=1e-5)


def test_metric_mean_update_trailing_dims_with_per_sample_weights():
    p, state = mean_update_program((None, 3), (None,), batch_size=4)
    v = randn((5, 3), 8)
    w = np.array([1.0, 0.0, 2.0, 0.5, 1.0], np.float32)
    run_program(p, [v, w])
    np.testing.assert_allclose(state.numpy(), [(v.mean(-1) * w).sum(), w.sum()], rtol=1e-5)


def test_metric_mean_update_column_weights_broadcast_per_row():
    # Keras Mean.update_state with values (N, D) and sample_weight (N, 1): the weight of row i
    # applies to row i (broadcast along D); total = sum_i w_i * mean_j v_ij, count = sum_i w_i.
    p, state = mean_update_program((None, 3), (None, 1), batch_size=8)
    v = randn((4, 3), 9)
    w = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)
    run_program(p, [v, w])
    np.testing.assert_allclose(state.numpy(), [(v.mean(-1) * w[:, 0]).sum(), w.sum()], rtol=1e-5)


def test_metric_mean_update_bad_state_shape_raises():
    g = core.Graph()
    s = g.add_variable(core.Variable("state", (3,), "float32", False))
    v = g.add_input("v", [None], "float32")
    with pytest.raises(ValueError, match="state"):
        g.add_node("metric_mean_update", [s, v], {}, "mean")


# ----------------------------------------------------------------------------- gradient-only ops
def test_activation_grad_ops_forward():
    dy = randn((3, 4), 1)
    y_relu = np.abs(randn((3, 4), 2)) * np.array([1, 0, 1, 0], np.float32)
    y_sig = np.clip(np.abs(randn((3, 4), 3)) / 4, 0.01, 0.99).astype(np.float32)
    y_tanh = np.clip(randn((3, 4), 4) / 3, -0.99, 0.99).astype(np.float32)
    np.testing.assert_allclose(run_op("relu_grad", [dy, y_relu]), dy * (y_relu > 0), rtol=1e-6)
    np.testing.assert_allclose(run_op("sigmoid_grad", [dy, y_sig]), dy * y_sig * (1 - y_sig), rtol=1e-5)
    np.testing.assert_allclose(run_op("tanh_grad", [dy, y_tanh]), dy * (1 - y_tanh**2), rtol=1e-5)


def test_softmax_grad_op_forward():
    dy, y = randn((3, 4), 1), probs((3, 4), 2)
    ref = y * (dy - (dy * y).sum(-1, keepdims=True))
    np.testing.assert_allclose(run_op("softmax_grad", [dy, y]), ref, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_dense_act_grad_op_forward(activation):
    dy = randn((5, 3), 1)
    y = np_act(activation, randn((5, 3), 2)).astype(np.float32)
    dz, db = run_op("dense_act_grad", [dy, y], {"activation": activation}, n_out=2)
    deriv = {"relu": (y > 0).astype(np.float32), "sigmoid": y * (1 - y), "tanh": 1 - y**2}[activation]
    np.testing.assert_allclose(dz, dy * deriv, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(db, (dy * deriv).sum(0), rtol=1e-5, atol=1e-6)


def test_dense_grad_ops_forward():
    x, dz, w = randn((5, 3), 1), randn((5, 4), 2), randn((3, 4), 3)
    np.testing.assert_allclose(run_op("bias_grad", [dz]), dz.sum(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run_op("dense_weight_grad", [x, dz]), x.T @ dz, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run_op("dense_input_grad", [dz, w]), dz @ w.T, rtol=1e-5, atol=1e-5)
