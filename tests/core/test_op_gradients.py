"""Backward (autodiff) of every differentiable op vs central finite differences."""
import numpy as np
import pytest

from pykerascore.backend import core

from .helpers import build, check_gradients, numeric_grad, randn


def probs(shape, seed):
    z = randn(shape, seed).astype(np.float64)
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def op(name, attrs=None):
    """forward(g, ids) building one node of `name` over all the inputs."""
    return lambda g, ids: g.add_node(name, ids, attrs or {}, name)[0]


# ----------------------------------------------------------------------------- dense / matmul
@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("wrt", [0, 1, 2])
def test_dense_grad_with_bias(activation, wrt):
    x, w, b = randn((4, 3), 1), randn((3, 5), 2, scale=0.5), randn((5,), 3)
    if activation == "relu":
        # keep pre-activations away from the kink at 0
        z = x @ w + b
        b = (b + np.where(np.abs(z).min(0) < 0.2, 0.6, 0.0)).astype(np.float32)
        assert np.abs(x @ w + b).min() > 0.05
    check_gradients(op("dense", {"activation": activation}), [x, w, b], [wrt])


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_dense_grad_without_bias(activation, wrt):
    x, w = randn((4, 3), 4, away_from_zero=0.3), np.abs(randn((3, 5), 5)) + 0.1
    if activation == "relu":
        x = np.abs(x)  # all pre-activations positive and away from 0; flip some columns negative
        w = (w * np.array([1, -1, 1, -1, 1], np.float32)).astype(np.float32)
    check_gradients(op("dense", {"activation": activation}), [x, w.astype(np.float32)], [wrt])


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_dense_grad_all_inputs_together(activation):
    x, w, b = randn((3, 2), 6), randn((2, 4), 7), randn((4,), 8)
    check_gradients(op("dense", {"activation": activation}), [x, w, b], [0, 1, 2])


@pytest.mark.parametrize("wrt", [0, 1, 2])
def test_dense_rank3_input_grad(wrt):
    x, w, b = randn((2, 3, 4), 9), randn((4, 2), 10), randn((2,), 11)
    check_gradients(op("dense", {"activation": "sigmoid"}), [x, w, b], [wrt])


@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
@pytest.mark.parametrize("wrt", [0, 1])
def test_matmul_grad(ta, tb, wrt):
    a = randn((4, 3) if ta else (3, 4), 1)
    b = randn((5, 4) if tb else (4, 5), 2)
    check_gradients(op("matmul", {"transpose_a": ta, "transpose_b": tb}), [a, b], [wrt])


# ----------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_grad(name):
    x = randn((3, 4), 12, away_from_zero=0.1)
    check_gradients(op(name), [x], [0])


def test_relu_grad_is_zero_for_negative_inputs():
    x = np.array([[-2.0, -0.5, 0.5, 2.0]], np.float32)
    (gx,) = check_gradients(op("relu"), [x], [0], loss=lambda g, out: g.add_node("reduce_loss", [out], {"reduction": "sum"}, "s")[0])
    np.testing.assert_array_equal(gx, [[0.0, 0.0, 1.0, 1.0]])


@pytest.mark.parametrize("shape", [(3, 4), (2, 2, 5)])
def test_softmax_grad(shape):
    check_gradients(op("softmax"), [randn(shape, 13)], [0])


# ----------------------------------------------------------------------------- elementwise
SHAPES = [
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 3), ()),
    ((), (2, 3)),
    ((2, 1, 3), (4, 1)),
]


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide"])
@pytest.mark.parametrize("sa,sb", SHAPES)
@pytest.mark.parametrize("wrt", [0, 1])
def test_binary_grad_broadcasting(name, sa, sb, wrt):
    a = randn(sa, 14, away_from_zero=0.5)
    b = randn(sb, 15, away_from_zero=0.8)  # divisor away from 0
    check_gradients(op(name), [a, b], [wrt], eps=1e-3)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide"])
def test_binary_grad_both_operands(name):
    a, b = randn((3, 1), 16, away_from_zero=0.5), randn((1, 4), 17, away_from_zero=0.8)
    check_gradients(op(name), [a, b], [0, 1], eps=1e-3)


def test_negative_grad():
    check_gradients(op("negative"), [randn((2, 3), 18)], [0])


def test_copy_grad():
    check_gradients(op("copy"), [randn((2, 3), 19)], [0])


@pytest.mark.parametrize("xs,like", [((2, 3), (3,)), ((2, 3), (2, 1)), ((4, 2, 3), (2, 1))])
def test_sum_to_shape_grad(xs, like):
    like_arr = np.zeros(like, np.float32)
    fwd = lambda g, ids: g.add_node("sum_to_shape", [ids[0], g.add_constant(like_arr)], {}, "sts")[0]
    check_gradients(fwd, [randn(xs, 20)], [0])


# ----------------------------------------------------------------------------- reshape / cast
@pytest.mark.parametrize("src,target", [((2, 6), [3, -1]), ((2, 3, 4), [-1]), ((12,), [2, 2, 3])])
def test_reshape_grad(src, target):
    check_gradients(op("reshape", {"shape": target}), [randn(src, 21)], [0])


def test_reshape_then_op_grad():
    # reshape output feeds another op; its gradient must come back in the input's shape
    def fwd(g, ids):
        r = g.add_node("reshape", [ids[0]], {"shape": [3, -1]}, "r")[0]
        return g.add_node("tanh", [r], {}, "t")[0]

    check_gradients(fwd, [randn((2, 6), 22)], [0])


def test_cast_float_to_float_passes_gradient():
    check_gradients(op("cast", {"dtype": "float32"}), [randn((2, 3), 23)], [0])


def test_cast_to_int_blocks_gradient():
    g, (x,) = build([randn((2, 3))])
    c = g.add_node("cast", [x], {"dtype": "int32"}, "c")[0]
    f = g.add_node("cast", [c], {"dtype": "float32"}, "f")[0]
    s = g.add_node("reduce_loss", [f], {"reduction": "sum"}, "s")[0]
    assert g.gradients(s, [x]) == [-1]


# ----------------------------------------------------------------------------- losses
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2)])
@pytest.mark.parametrize("wrt", [0, 1])
def test_mse_grad(shape, wrt):
    t, p = randn(shape, 24), randn(shape, 25)
    check_gradients(op("mean_squared_error"), [t, p], [wrt])


def scce_forward(labels, attrs=None):
    def fwd(g, ids):
        lab = g.add_constant(labels)
        return g.add_node("sparse_categorical_crossentropy", [lab, ids[0]], attrs or {}, "scce")[0]

    return fwd


def test_scce_grad_wrt_probabilities():
    p = probs((4, 3), 26) * 0.8 + 0.05  # not normalised, away from the clip bounds
    labels = np.array([0, 2, 1, 2], np.int32)
    check_gradients(scce_forward(labels), [p.astype(np.float32)], [0], eps=1e-3)


@pytest.mark.parametrize("label_dtype", ["int32", "int64", "float32"])
def test_scce_grad_wrt_logits(label_dtype):
    z = randn((4, 5), 27, scale=2.0)
    labels = np.array([0, 4, 1, 3], label_dtype)
    check_gradients(scce_forward(labels, {"from_logits": 1}), [z], [0])


def test_scce_from_logits_grad_is_softmax_minus_onehot():
    z = randn((3, 4), 28)
    labels = np.array([1, 0, 3], np.int32)
    g, (zi,) = build([z])
    l = g.add_node("sparse_categorical_crossentropy", [g.add_constant(labels), zi], {"from_logits": 1}, "scce")[0]
    s = g.add_node("reduce_loss", [l], {}, "r")[0]
    (gz,) = g.evaluate({zi: z}, g.gradients(s, [zi]))
    e = np.exp(z - z.max(-1, keepdims=True))
    p = e / e.sum(-1, keepdims=True)
    np.testing.assert_allclose(gz, (p - np.eye(4)[labels]) / 3, rtol=1e-5, atol=1e-7)


def test_scce_grad_zero_where_clipped():
    # p[true] / sum(p) < 1e-7: the loss is clipped, so its gradient is zero (as clip's in Keras)
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]], np.float32)
    labels = np.array([0, 1], np.int32)
    g, (pi,) = build([p])
    l = g.add_node("sparse_categorical_crossentropy", [g.add_constant(labels), pi], {}, "scce")[0]
    s = g.add_node("reduce_loss", [l], {"reduction": "sum"}, "r")[0]
    (gp,) = g.evaluate({pi: p}, g.gradients(s, [pi]))
    np.testing.assert_array_equal(gp[0], 0.0)
    np.testing.assert_allclose(gp[1], [1.0, 1.0 - 1 / 0.3, 1.0], rtol=1e-5)


def softmax_scce(labels):
    def fwd(g, ids):
        p = g.add_node("softmax", [ids[0]], {}, "softmax")[0]
        return g.add_node("sparse_categorical_crossentropy", [g.add_constant(labels), p], {}, "scce")[0]

    return fwd


def test_fused_softmax_scce_grad_matches_finite_differences():
    z = randn((4, 5), 29, scale=1.5)
    labels = np.array([0, 4, 1, 3], np.int32)
    check_gradients(softmax_scce(labels), [z], [0])


def test_fused_softmax_scce_grad_equals_p_minus_onehot_over_n():
    z = randn((6, 4), 30)
    labels = np.array([0, 1, 2, 3, 3, 0], np.int64)
    g, (zi,) = build([z])
    l = softmax_scce(labels)(g, [zi])
    s = g.add_node("reduce_loss", [l], {"reduction": "sum_over_batch_size"}, "r")[0]
    gids = g.gradients(s, [zi])
    # the fused rule skips the softmax Jacobian
    ops_added = {g.producer_op(v) for v in range(g.num_values)}
    assert "softmax_sparse_categorical_crossentropy_grad" in ops_added
    assert "softmax_grad" not in ops_added
    (gz,) = g.evaluate({zi: z}, gids)
    e = np.exp(z - z.max(-1, keepdims=True))
    p = e / e.sum(-1, keepdims=True)
    np.testing.assert_allclose(gz, (p - np.eye(4)[labels]) / 6, rtol=1e-5, atol=1e-7)
    check_gradients(softmax_scce(labels), [z], [0], loss=lambda g, out: g.add_node("reduce_loss", [out], {}, "r")[0])


def test_fused_softmax_scce_with_softmax_output_used_elsewhere():
    # softmax output feeds both the loss (fused path) and another term: both contributions count
    z = randn((3, 4), 31)
    labels = np.array([2, 0, 1], np.int32)

    def fwd(g, ids):
        p = g.add_node("softmax", [ids[0]], {}, "softmax")[0]
        l = g.add_node("sparse_categorical_crossentropy", [g.add_constant(labels), p], {}, "scce")[0]
        extra = g.add_node("reduce_loss", [g.add_node("multiply", [p, g.add_constant(randn((3, 4), 32))], {}, "m")[0]],
                           {"reduction": "sum"}, "extra")[0]
        return g.add_node("add", [g.add_node("reduce_loss", [l], {"reduction": "sum"}, "ls")[0], extra], {}, "tot")[0]

    check_gradients(fwd, [z], [0], loss=lambda g, out: out)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight"])
@pytest.mark.parametrize("weighted", [False, True])
def test_reduce_loss_grad(reduction, weighted):
    v = randn((5,), 33)
    w = np.array([1.0, 0.0, 2.0, 0.5, 1.5], np.float32)

    def fwd(g, ids):
        ins = [ids[0], g.add_constant(w)] if weighted else [ids[0]]
        return g.add_node("reduce_loss", ins, {"reduction": reduction}, "r")[0]

    (gv,) = check_gradients(fwd, [v], [0], loss=lambda g, out: out)
    div = {"sum": 1.0, "mean_with_sample_weight": w.sum() if weighted else 5.0}.get(reduction, 5.0)
    np.testing.assert_allclose(gv, (w if weighted else 1.0) / div * np.ones(5), rtol=1e-6)


def test_reduce_loss_grad_rank2_values_with_row_weights():
    v = randn((3, 2), 34)
    w = np.array([[1.0], [0.0], [2.0]], np.float32)

    def fwd(g, ids):
        return g.add_node("reduce_loss", [ids[0], g.add_constant(w)], {}, "r")[0]

    check_gradients(fwd, [v], [0], loss=lambda g, out: out)


def test_mse_through_dense_chain():
    # a tiny network end to end: dense(relu) -> dense -> mse -> reduce_loss
    x, w1, b1, w2, y = randn((4, 3), 35), randn((3, 5), 36), randn((5,), 37), randn((5, 2), 38), randn((4, 2), 39)

    def fwd(g, ids):
        h = g.add_node("dense", [ids[0], ids[1], ids[2]], {"activation": "tanh"}, "d1")[0]
        o = g.add_node("dense", [h, ids[3]], {}, "d2")[0]
        l = g.add_node("mean_squared_error", [ids[4], o], {}, "mse")[0]
        return g.add_node("reduce_loss", [l], {}, "r")[0]

    check_gradients(fwd, [x, w1, b1, w2, y], [0, 1, 2, 3], loss=lambda g, out: out)


# ----------------------------------------------------------------------------- autodiff plumbing
def test_value_used_twice_accumulates():
    # loss = sum(x * x) -> d/dx = 2x
    x = randn((2, 3), 40)
    g, (xi,) = build([x])
    sq = g.add_node("multiply", [xi, xi], {}, "sq")[0]
    s = g.add_node("reduce_loss", [sq], {"reduction": "sum"}, "s")[0]
    (gx,) = g.evaluate({xi: x}, g.gradients(s, [xi]))
    np.testing.assert_allclose(gx, 2 * x, rtol=1e-6)


def test_value_used_by_two_branches_accumulates():
    # loss = sum(tanh(x)) + sum(3 * x) -> d/dx = 1 - tanh^2 + 3
    x = randn((2, 3), 41)
    g, (xi,) = build([x])
    t = g.add_node("tanh", [xi], {}, "t")[0]
    m = g.add_node("multiply", [xi, g.add_constant(np.array(3.0, np.float32))], {}, "m")[0]
    s = g.add_node("add", [g.add_node("reduce_loss", [t], {"reduction": "sum"}, "s1")[0],
                           g.add_node("reduce_loss", [m], {"reduction": "sum"}, "s2")[0]], {}, "s")[0]
    (gx,) = g.evaluate({xi: x}, g.gradients(s, [xi]))
    np.testing.assert_allclose(gx, 1 - np.tanh(x) ** 2 + 3, rtol=1e-5)


def test_unconnected_variable_gives_minus_one():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    w = g.add_variable(core.Variable("w", (3, 4), "float32", True))
    unused = g.add_variable(core.Variable("unused", (4,), "float32", True))
    y = g.add_node("dense", [x, w], {}, "d")[0]
    s = g.add_node("reduce_loss", [y], {}, "s")[0]
    gw, gu = g.gradients(s, [w, unused])
    assert gw >= 0
    assert gu == -1


def test_gradients_of_non_scalar_raises():
    g, (x,) = build([randn((2, 3))])
    y = g.add_node("tanh", [x], {}, "t")[0]
    with pytest.raises(ValueError, match="scalar"):
        g.gradients(y, [x])


def test_gradient_wrt_the_loss_itself_is_one():
    g, (x,) = build([randn((2, 3))])
    s = g.add_node("reduce_loss", [x], {}, "s")[0]
    gx, gs = g.gradients(s, [x, s])
    vals = g.evaluate({x: randn((2, 3))}, [gx, gs])
    np.testing.assert_allclose(vals[0], np.full((2, 3), 1 / 6), rtol=1e-6)
    np.testing.assert_allclose(vals[1], 1.0)


def two_layer_graph(with_bias=True):
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    y = g.add_input("y", [None, 2], "float32")
    w1 = g.add_variable(core.Variable("w1", (3, 4), "float32", True))
    w2 = g.add_variable(core.Variable("w2", (4, 2), "float32", True))
    ins1 = [x, w1]
    b1 = None
    if with_bias:
        b1 = g.add_variable(core.Variable("b1", (4,), "float32", True))
        ins1.append(b1)
    h = g.add_node("dense", ins1, {"activation": "relu"}, "d1")[0]
    o = g.add_node("dense", [h, w2], {}, "d2")[0]
    l = g.add_node("mean_squared_error", [y, o], {}, "mse")[0]
    s = g.add_node("reduce_loss", [l], {}, "loss")[0]
    return g, x, [w1, w2] + ([b1] if with_bias else []), s


def added_ops(g, start_values):
    return [g.producer_op(v) for v in range(start_values, g.num_values)]


@pytest.mark.parametrize("with_bias", [True, False])
def test_first_layer_input_grad_not_computed_for_weights_only(with_bias):
    g, x, weights, s = two_layer_graph(with_bias)
    before = g.num_values
    grads = g.gradients(s, weights)
    assert all(v >= 0 for v in grads)
    ops = added_ops(g, before)
    # exactly one dense_input_grad: the second layer's (to reach the first layer's weights)
    assert ops.count("dense_input_grad") == 1
    assert ops.count("dense_weight_grad") == 2


def test_input_grad_computed_when_requested():
    g, x, weights, s = two_layer_graph()
    before = g.num_values
    g.gradients(s, weights + [x])
    assert added_ops(g, before).count("dense_input_grad") == 2


def test_single_dense_weight_grad_has_no_input_grad():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    w = g.add_variable(core.Variable("w", (3, 2), "float32", True))
    y = g.add_node("dense", [x, w], {"activation": "sigmoid"}, "d")[0]
    s = g.add_node("reduce_loss", [y], {}, "s")[0]
    before_nodes = g.num_nodes
    before = g.num_values
    g.gradients(s, [w])
    ops = added_ops(g, before)
    assert "dense_input_grad" not in ops
    assert "dense_weight_grad" in ops
    assert g.num_nodes > before_nodes


def test_bias_grad_fused_with_activation():
    g, x, weights, s = two_layer_graph(with_bias=True)
    before = g.num_values
    g.gradients(s, weights)
    ops = added_ops(g, before)
    assert "dense_act_grad" in ops  # relu gradient and bias column sums in one op
    assert "relu_grad" not in ops


def test_variable_gradients_match_finite_differences():
    # gradients wrt Variables (not inputs), perturbed through Variable.assign
    xs, ys = randn((5, 3), 42), randn((5, 2), 43)
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    y = g.add_input("y", [None, 2], "float32")
    vs = [core.Variable("w1", (3, 4), "float32", True), core.Variable("w2", (4, 2), "float32", True),
          core.Variable("b1", (4,), "float32", True)]
    for k, v in enumerate(vs):
        v.assign(randn(tuple(v.shape), 50 + k, scale=0.7))
    w1, w2, b1 = [g.add_variable(v) for v in vs]
    h = g.add_node("dense", [x, w1, b1], {"activation": "tanh"}, "d1")[0]
    o = g.add_node("dense", [h, w2], {}, "d2")[0]
    l = g.add_node("mean_squared_error", [y, o], {}, "mse")[0]
    s = g.add_node("reduce_loss", [l], {}, "loss")[0]
    analytic = g.evaluate({x: xs, y: ys}, g.gradients(s, [w1, w2, b1]))
    for v, an in zip(vs, analytic):
        orig = v.numpy().copy()

        def f(val, v=v):
            v.assign(val)
            return g.evaluate({x: xs, y: ys}, [s])[0]

        num = numeric_grad(f, orig, 3e-3)
        v.assign(orig)
        np.testing.assert_allclose(an, num, rtol=2e-2, atol=1e-3, err_msg=v.name)
