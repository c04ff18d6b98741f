"""Graph construction (shape inference and its errors), train Programs and epoch orders."""
import numpy as np
import pytest

from pykerascore.backend import core

from .helpers import randn


# ----------------------------------------------------------------------------- shape errors
def test_dense_wrong_feature_count_names_node_and_shapes():
    g = core.Graph()
    x = g.add_input("x", [2, 5], "float32")
    w = g.add_constant(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError) as ei:
        g.add_node("dense", [x, w], {}, "my_dense")
    msg = str(ei.value)
    assert "my_dense" in msg
    assert "(2, 5)" in msg and "(3, 4)" in msg


def test_dense_bad_bias_shape_raises():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    w = g.add_constant(np.zeros((3, 4), np.float32))
    b = g.add_constant(np.zeros((5,), np.float32))
    with pytest.raises(ValueError, match="my_dense"):
        g.add_node("dense", [x, w, b], {}, "my_dense")


def test_dense_int_input_raises_type_error():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "int32")
    w = g.add_constant(np.zeros((3, 4), np.float32))
    with pytest.raises(TypeError, match="my_dense"):
        g.add_node("dense", [x, w], {}, "my_dense")


@pytest.mark.parametrize("ta,tb", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_matmul_mismatch_names_node_and_shapes(ta, tb):
    g = core.Graph()
    a = g.add_input("a", [2, 3], "float32")
    b = g.add_input("b", [4, 5], "float32")  # inner dim 4 or 5 vs 3 or 2: never equal
    with pytest.raises(ValueError) as ei:
        g.add_node("matmul", [a, b], {"transpose_a": ta, "transpose_b": tb}, "my_matmul")
    msg = str(ei.value)
    assert "my_matmul" in msg
    assert "(2, 3)" in msg and "(4, 5)" in msg


def test_matmul_rank3_rejected():
    g = core.Graph()
    a = g.add_input("a", [2, 3, 4], "float32")
    b = g.add_input("b", [4, 5], "float32")
    with pytest.raises(ValueError, match="my_matmul"):
        g.add_node("matmul", [a, b], {}, "my_matmul")


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide"])
@pytest.mark.parametrize("sa,sb", [((2, 3), (4,)), ((2, 3), (3, 3)), ((5, 1, 3), (2, 2))])
def test_broadcast_mismatch_names_node_and_shapes(op, sa, sb):
    g = core.Graph()
    a = g.add_input("a", list(sa), "float32")
    b = g.add_input("b", list(sb), "float32")
    with pytest.raises(ValueError) as ei:
        g.add_node(op, [a, b], {}, "my_op")
    msg = str(ei.value)
    assert "my_op" in msg
    assert str(sa) in msg and str(sb) in msg


def test_mse_shape_mismatch_names_node_and_shapes():
    g = core.Graph()
    t = g.add_input("t", [4, 3], "float32")
    p = g.add_input("p", [4, 2], "float32")
    with pytest.raises(ValueError) as ei:
        g.add_node("mean_squared_error", [t, p], {}, "my_loss")
    assert "my_loss" in str(ei.value) and "(4, 3)" in str(ei.value) and "(4, 2)" in str(ei.value)


def test_unknown_op_raises():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    with pytest.raises(ValueError, match="unknown op"):
        g.add_node("no_such_op", [x], {}, "n")


def test_wrong_number_of_inputs_raises():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    with pytest.raises(ValueError, match="my_relu"):
        g.add_node("relu", [x, x], {}, "my_relu")


def test_failed_add_node_leaves_graph_unchanged():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    w = g.add_constant(np.zeros((4, 4), np.float32))
    n, v = g.num_nodes, g.num_values
    with pytest.raises(ValueError):
        g.add_node("dense", [x, w], {}, "d")
    assert (g.num_nodes, g.num_values) == (n, v)


def test_evaluate_wrong_feed_dtype_raises():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    y = g.add_node("relu", [x], {}, "r")[0]
    with pytest.raises(TypeError):
        g.evaluate({x: np.zeros((2, 3), np.float64)}, [y])


def test_evaluate_missing_feed_raises():
    g = core.Graph()
    x = g.add_input("x", [2, 3], "float32")
    y = g.add_node("relu", [x], {}, "r")[0]
    with pytest.raises(ValueError, match="x"):
        g.evaluate({}, [y])


# ----------------------------------------------------------------------------- unknown dims
def test_unknown_batch_dim_propagates_through_dense_chain():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    assert tuple(g.shape(x)) == (None, 3)
    w = g.add_variable(core.Variable("w", (3, 4), "float32", True))
    h = g.add_node("dense", [x, w], {"activation": "relu"}, "d")[0]
    assert tuple(g.shape(h)) == (None, 4)
    p = g.add_node("softmax", [h], {}, "sm")[0]
    assert tuple(g.shape(p)) == (None, 4)
    y = g.add_input("y", [None], "int32")
    l = g.add_node("sparse_categorical_crossentropy", [y, p], {}, "scce")[0]
    assert tuple(g.shape(l)) == (None,)
    s = g.add_node("reduce_loss", [l], {}, "loss")[0]
    assert tuple(g.shape(s)) == ()


def test_unknown_batch_dim_broadcasts():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    b = g.add_constant(np.ones((3,), np.float32))
    assert tuple(g.shape(g.add_node("add", [x, b], {}, "a")[0])) == (None, 3)
    c = g.add_input("c", [None, 1], "float32")
    assert tuple(g.shape(g.add_node("multiply", [x, c], {}, "m")[0])) == (None, 3)


def test_unknown_batch_dim_through_reshape():
    g = core.Graph()
    x = g.add_input("x", [None, 2, 3], "float32")
    r = g.add_node("reshape", [x], {"shape": [-1, 6]}, "r")[0]
    assert tuple(g.shape(r)) == (None, 6)


def test_unknown_batch_dim_resolved_at_evaluate():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    w = g.add_constant(np.ones((3, 2), np.float32))
    y = g.add_node("dense", [x, w], {}, "d")[0]
    for n in (1, 4, 7):
        assert g.evaluate({x: np.ones((n, 3), np.float32)}, [y])[0].shape == (n, 2)


def test_unknown_batch_dim_feature_mismatch_still_caught():
    g = core.Graph()
    x = g.add_input("x", [None, 5], "float32")
    w = g.add_constant(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="d1"):
        g.add_node("dense", [x, w], {}, "d1")


# ----------------------------------------------------------------------------- train programs
def make_model(seed=0, loss="mse", activation="tanh"):
    """x(None,3) -> dense(activation, with bias) -> dense -> loss.

    Returns (g, x, y, variables, loss_id); g.var_ids holds the variables' value ids."""
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    if loss == "mse":
        y = g.add_input("y", [None, 2], "float32")
    else:
        y = g.add_input("y", [None], "int32")
    vs = [core.Variable("w1", (3, 4), "float32", True), core.Variable("b1", (4,), "float32", True),
          core.Variable("w2", (4, 2), "float32", True)]
    for k, v in enumerate(vs):
        v.assign(randn(tuple(v.shape), seed + 10 + k, scale=0.6))
    var_ids = [g.add_variable(v) for v in vs]
    w1, b1, w2 = var_ids
    h = g.add_node("dense", [x, w1, b1], {"activation": activation}, "d1")[0]
    o = g.add_node("dense", [h, w2], {}, "d2")[0]
    if loss == "mse":
        l = g.add_node("mean_squared_error", [y, o], {}, "mse")[0]
    else:
        p = g.add_node("softmax", [o], {}, "sm")[0]
        l = g.add_node("sparse_categorical_crossentropy", [y, p], {}, "scce")[0]
    s = g.add_node("reduce_loss", [l], {}, "loss")[0]
    return g, x, y, vs, s, var_ids


def hand_grads(vals, xb, yb, loss="mse", activation="tanh"):
    """Gradients of the loss on one batch, by g.evaluate on a fresh graph."""
    g, x, y, vs, s, var_ids = make_model(loss=loss, activation=activation)
    for v, val in zip(vs, vals):
        v.assign(val)
    return g.evaluate({x: xb, y: yb}, g.gradients(s, var_ids))


def train_program(g, x, y, vs, s, batch_size, lr=0.1):
    opt = core.Optimizer("sgd", {"learning_rate": lr, "momentum": 0.0, "nesterov": 0})
    return core.Program("train", g, [x, y], [], s, core.ParamPack(vs), opt, batch_size)


def data(n, loss="mse", seed=5):
    xs = randn((n, 3), seed)
    if loss == "mse":
        ys = randn((n, 2), seed + 1)
    else:
        ys = (np.arange(n) % 2).astype(np.int32)
    return xs, ys


@pytest.mark.parametrize("loss", ["mse", "scce"])
def test_one_sgd_step_matches_hand_computed_update(loss):
    g, x, y, vs, s, _ = make_model(loss=loss)
    before = [v.numpy().copy() for v in vs]
    xs, ys = data(6, loss)
    p = train_program(g, x, y, vs, s, batch_size=6, lr=0.1)
    p.set_inputs([xs, ys], ["x", "y"])
    p.begin_epoch("none", 0, 0)
    assert p.steps_per_epoch == 1
    assert p.run(0, 1) == 1
    grads = hand_grads(before, xs, ys, loss)
    for v, w0, gr in zip(vs, before, grads):
        assert np.abs(gr).max() > 1e-4  # the step is not vacuous
        np.testing.assert_allclose(v.numpy(), w0 - 0.1 * gr, rtol=1e-5, atol=1e-6, err_msg=v.name)


def test_program_does_not_change_caller_graph():
    g, x, y, vs, s, _ = make_model()
    n = g.num_nodes
    train_program(g, x, y, vs, s, batch_size=4)
    assert g.num_nodes == n


@pytest.mark.parametrize("loss", ["mse", "scce"])
def test_partial_last_batch_matches_hand_computation(loss):
    g, x, y, vs, s, _ = make_model(loss=loss)
    vals = [v.numpy().copy() for v in vs]
    xs, ys = data(10, loss)
    p = train_program(g, x, y, vs, s, batch_size=4, lr=0.1)
    p.set_inputs([xs, ys], ["x", "y"])
    p.begin_epoch("none", 0, 0)
    assert p.steps_per_epoch == 3
    assert p.run(0, 10) == 3
    for start in (0, 4, 8):  # last batch has 2 rows
        grads = hand_grads(vals, xs[start:start + 4], ys[start:start + 4], loss)
        vals = [w - np.float32(0.1) * gr for w, gr in zip(vals, grads)]
    for v, want in zip(vs, vals):
        np.testing.assert_allclose(v.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=v.name)


def test_partial_last_batch_then_full_batch_again():
    # after a 2-row step the plan must still work for full batches (second epoch)
    g, x, y, vs, s, _ = make_model()
    vals = [v.numpy().copy() for v in vs]
    xs, ys = data(6)
    p = train_program(g, x, y, vs, s, batch_size=4)
    p.set_inputs([xs, ys], ["x", "y"])
    for epoch in range(2):
        p.begin_epoch("none", 0, epoch)
        assert p.run(0, 10) == 2
        for start in (0, 4):
            grads = hand_grads(vals, xs[start:start + 4], ys[start:start + 4])
            vals = [w - np.float32(0.1) * gr for w, gr in zip(vals, grads)]
    for v, want in zip(vs, vals):
        np.testing.assert_allclose(v.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=v.name)


def test_shuffled_epoch_uses_epoch_order_rows():
    g, x, y, vs, s, _ = make_model()
    vals = [v.numpy().copy() for v in vs]
    xs, ys = data(10)
    p = train_program(g, x, y, vs, s, batch_size=4)
    p.set_inputs([xs, ys], ["x", "y"])
    p.begin_epoch("full", 7, 3)
    p.run(0, 10)
    order = np.asarray(core.epoch_order(10, 4, "full", 7, 3))
    for start in (0, 4, 8):
        rows = order[start:start + 4]
        grads = hand_grads(vals, xs[rows], ys[rows])
        vals = [w - np.float32(0.1) * gr for w, gr in zip(vals, grads)]
    for v, want in zip(vs, vals):
        np.testing.assert_allclose(v.numpy(), want, rtol=1e-5, atol=1e-6, err_msg=v.name)


def test_run_first_and_steps_selects_batches():
    # running step 1 alone applies only the update of rows 4..7
    g, x, y, vs, s, _ = make_model()
    vals = [v.numpy().copy() for v in vs]
    xs, ys = data(10)
    p = train_program(g, x, y, vs, s, batch_size=4)
    p.set_inputs([xs, ys], ["x", "y"])
    p.begin_epoch("none", 0, 0)
    assert p.run(1, 1) == 1
    grads = hand_grads(vals, xs[4:8], ys[4:8])
    for v, w0, gr in zip(vs, vals, grads):
        np.testing.assert_allclose(v.numpy(), w0 - np.float32(0.1) * gr, rtol=1e-5, atol=1e-6)


def test_train_program_label_out_of_range_raises_before_update():
    g, x, y, vs, s, _ = make_model(loss="scce")
    before = [v.numpy().copy() for v in vs]
    xs, _ = data(4, "scce")
    ys = np.array([0, 1, 5, 0], np.int32)
    p = train_program(g, x, y, vs, s, batch_size=4)
    p.set_inputs([xs, ys], ["x", "y"])
    p.begin_epoch("none", 0, 0)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        p.run(0, 1)
    for v, w0 in zip(vs, before):
        np.testing.assert_array_equal(v.numpy(), w0)


def test_train_program_needs_loss_and_optimizer():
    g, x, y, vs, s, _ = make_model()
    with pytest.raises(ValueError):
        core.Program("train", g, [x, y], [], -1, core.ParamPack(vs), None, 4)


def test_program_rejects_non_input_feed():
    g, x, y, vs, s, _ = make_model()
    with pytest.raises(ValueError):
        core.Program("test", g, [x, s], [], -1, None, None, 4)


def test_program_rejects_bad_batch_size():
    g, x, y, vs, s, _ = make_model()
    with pytest.raises(ValueError):
        train_program(g, x, y, vs, s, batch_size=0)


def test_predict_program_scatters_outputs_in_order():
    g = core.Graph()
    x = g.add_input("x", [None, 3], "float32")
    w = core.Variable("w", (3, 2), "float32", True)
    w.assign(randn((3, 2), 3))
    o = g.add_node("dense", [x, g.add_variable(w)], {"activation": "sigmoid"}, "d")[0]
    p = core.Program("predict", g, [x], [o], -1, None, None, 4)
    xs = randn((10, 3), 4)
    out = np.zeros((10, 2), np.float32)
    p.set_inputs([xs], ["x"])
    p.set_outputs([out])
    p.begin_epoch("full", 1, 0)  # shuffled order must still land each row in its place
    assert p.run(0, 10) == 3
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(xs @ w.numpy()))), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- epoch orders
@pytest.mark.parametrize("mode", ["full", "batch", "none"])
@pytest.mark.parametrize("n,bs", [(10, 4), (12, 4), (1, 3), (7, 1), (5, 8)])
def test_epoch_order_is_permutation(mode, n, bs):
    order = core.epoch_order(n, bs, mode, 123, 0)
    assert sorted(order) == list(range(n))


def test_epoch_order_empty():
    assert list(core.epoch_order(0, 4, "full", 1, 0)) == []


def test_epoch_order_none_is_identity():
    assert list(core.epoch_order(10, 4, "none", 5, 3)) == list(range(10))


@pytest.mark.parametrize("mode", ["full", "batch"])
def test_epoch_order_deterministic(mode):
    assert list(core.epoch_order(50, 5, mode, 42, 2)) == list(core.epoch_order(50, 5, mode, 42, 2))


@pytest.mark.parametrize("mode", ["full", "batch"])
def test_epoch_order_differs_across_epochs(mode):
    orders = {tuple(core.epoch_order(50, 5, mode, 42, e)) for e in range(4)}
    assert len(orders) == 4


@pytest.mark.parametrize("mode", ["full", "batch"])
def test_epoch_order_differs_across_seeds(mode):
    orders = {tuple(core.epoch_order(50, 5, mode, s, 0)) for s in range(4)}
    assert len(orders) == 4


def test_epoch_order_full_actually_shuffles():
    order = core.epoch_order(100, 10, "full", 1, 0)
    assert list(order) != list(range(100))
    # not merely whole batches moved around
    chunks = [sorted(order[i:i + 10]) for i in range(0, 100, 10)]
    assert any(c != list(range(c[0], c[0] + 10)) for c in chunks)


def test_epoch_order_unknown_mode_raises():
    with pytest.raises(ValueError, match="sideways"):
        core.epoch_order(10, 2, "sideways", 0, 0)


@pytest.mark.parametrize("n,bs", [(12, 4), (100, 10)])
@pytest.mark.parametrize("epoch", range(4))
def test_epoch_order_batch_keeps_batches_together(n, bs, epoch):
    order = core.epoch_order(n, bs, "batch", 9, epoch)
    chunks = [list(order[i:i + bs]) for i in range(0, n, bs)]
    for c in chunks:
        assert c == list(range(c[0], c[0] + bs)), chunks
        assert c[0] % bs == 0


def test_epoch_order_batch_with_partial_batch_keeps_steps_aligned():
    # The Program takes step s from order[s*bs:(s+1)*bs]. With 10 rows and batch 4 the batches
    # are {0..3}, {4..7}, {8, 9}; each step must still see the rows of exactly one batch, so the
    # short batch can only come last.
    n, bs = 10, 4
    batches = [set(range(b, min(n, b + bs))) for b in range(0, n, bs)]
    for epoch in range(6):
        order = list(core.epoch_order(n, bs, "batch", 1, epoch))
        steps = [set(order[i:i + bs]) for i in range(0, n, bs)]
        assert all(st in batches for st in steps), f"epoch {epoch}: order {order} gives steps {steps}"
