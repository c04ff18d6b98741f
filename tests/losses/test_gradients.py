"""Gradients of every loss (wrt y_pred and y_true) vs central finite differences in float64,
the zero gradient where Keras clips, and the fused softmax/sigmoid backward paths against the
unfused chain rule."""
import numpy as np
import pytest

from pykerascore import losses, ops
from pykerascore.backend import symbolic

from . import reference as ref
from .cases import CASES, binary_soft_clipped, case_id, hinge_01
from .helpers import finite_diff, value_and_grads, weighted_sum

SMOOTH_CASES = [c for c in CASES if c[2] is not binary_soft_clipped]


@pytest.mark.parametrize("wrt", [1, 0], ids=["y_pred", "y_true"])
@pytest.mark.parametrize("case", SMOOTH_CASES, ids=case_id)
def test_gradient_matches_finite_differences(case, wrt):
    name, kw, data = case
    if data is hinge_01 and wrt == 0:
        pytest.skip("moving a {0,1} label off {0,1} switches Keras's label conversion off: no derivative")
    t, p = data(np.random.default_rng(10))
    fn = weighted_sum(lambda a, b: getattr(losses, name)(a, b, **kw))
    _, (grad,), _, _ = value_and_grads(fn, [t, p], [wrt])
    np.testing.assert_allclose(grad, finite_diff(fn, [t, p], wrt), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_gradient(from_logits):
    rng = np.random.default_rng(11)
    p = rng.normal(size=(5, 4)) if from_logits else rng.uniform(0.1, 1.0, size=(5, 4))
    labels = rng.integers(0, 4, size=(5,)).astype(np.int32)
    fn = weighted_sum(lambda a, b: losses.sparse_categorical_crossentropy(a, b, from_logits=from_logits))
    _, (grad,), _, _ = value_and_grads(fn, [labels, p], [1])
    np.testing.assert_allclose(grad, finite_diff(fn, [labels, p], 1), rtol=1e-6, atol=1e-8)


def test_sparse_ignore_class_rows_get_no_gradient():
    rng = np.random.default_rng(12)
    z = rng.normal(size=(4, 3))
    labels = np.array([0, -1, 2, -1], np.int32)
    fn = weighted_sum(lambda a, b: losses.sparse_categorical_crossentropy(a, b, from_logits=True, ignore_class=-1))
    _, (grad,), _, _ = value_and_grads(fn, [labels, z], [1])
    assert np.all(grad[[1, 3]] == 0) and np.all(grad[[0, 2]] != 0)
    np.testing.assert_allclose(grad, finite_diff(fn, [labels, z], 1), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy", "kl_divergence"])
def test_clipped_predictions_get_zero_gradient(name):
    t = np.array([[1.0, 0.0, 0.0, 1.0]])
    p = np.array([[1.5, -0.5, 0.3, 0.4]]) if name == "binary_crossentropy" else np.array([[0.0, 0.0, 0.3, 0.7]])
    fn = weighted_sum(lambda a, b: getattr(losses, name)(a, b))
    _, (grad,), _, _ = value_and_grads(fn, [t, p], [1])
    clipped = [0, 1] if name != "categorical_crossentropy" else [0]
    if name == "categorical_crossentropy":
        # class 0 (label 1) is clipped at eps: its t/p term drops, only the shared 1/s term is left
        assert grad[0, 0] == pytest.approx(grad[0, 1])
    else:
        assert np.all(grad[0, clipped] == 0)


# ------------------------------------------------------------------------------ fused paths
def _grad_wrt_logits(loss_fn, act, t, z, fused):
    """d sum(loss(t, act(z)) * r) / dz, with a copy between act and the loss to defeat fusion."""
    def fn(a, b):
        y = act(b)
        if not fused:
            y = symbolic.emit("copy", [y])
        return loss_fn(a, y)
    _, (g,), graph, gids = value_and_grads(weighted_sum(fn), [t, z], [1])
    return g, graph.producer_op(gids[0])


CCE_FUSED = [
    ({}, "onehot"), ({"label_smoothing": 0.1}, "onehot"), ({}, "soft"), ({"label_smoothing": 0.3}, "soft"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw,labels", CCE_FUSED)
def test_softmax_categorical_crossentropy_fused_equals_chain_rule(kw, labels, dtype):
    rng = np.random.default_rng(13)
    z = (rng.normal(size=(6, 5)) * 3).astype(dtype)
    z[0] = [40.0, 0.0, 0.0, -3.0, 1.0]  # saturated row: some classes clipped
    t = np.eye(5)[rng.integers(0, 5, 6)] if labels == "onehot" else ref.softmax(rng.normal(size=(6, 5)))
    t = t.astype(dtype)
    cce = lambda a, b: losses.categorical_crossentropy(a, b, **kw)  # noqa: E731
    fused, op = _grad_wrt_logits(cce, ops.softmax, t, z, True)
    chain, op_chain = _grad_wrt_logits(cce, ops.softmax, t, z, False)
    assert op == "softmax_categorical_crossentropy_grad" and op_chain == "softmax_grad"
    np.testing.assert_allclose(fused, chain, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_sigmoid_binary_crossentropy_fused_equals_chain_rule(label_smoothing, dtype):
    rng = np.random.default_rng(14)
    z = (rng.normal(size=(6, 3)) * 3).astype(dtype)
    z[0, 0], z[1, 1] = 30.0, -30.0  # sigmoid saturates: clipped, zero gradient on both paths
    t = (rng.random((6, 3)) < 0.5).astype(dtype)
    bce = lambda a, b: losses.binary_crossentropy(a, b, label_smoothing=label_smoothing)  # noqa: E731
    fused, op = _grad_wrt_logits(bce, ops.sigmoid, t, z, True)
    chain, op_chain = _grad_wrt_logits(bce, ops.sigmoid, t, z, False)
    assert op == "sigmoid_binary_crossentropy_grad" and op_chain == "sigmoid_grad"
    assert fused[0, 0] == 0 and fused[1, 1] == 0
    np.testing.assert_allclose(fused, chain, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_sparse_categorical_crossentropy_fused_equals_chain_rule(dtype):
    rng = np.random.default_rng(15)
    z = (rng.normal(size=(6, 5)) * 3).astype(dtype)
    z[0] = [40.0, 0.0, 0.0, -3.0, 1.0]
    labels = rng.integers(0, 5, 6).astype(np.int32)
    scce = losses.sparse_categorical_crossentropy
    fused, op = _grad_wrt_logits(scce, ops.softmax, labels, z, True)
    chain, _ = _grad_wrt_logits(scce, ops.softmax, labels, z, False)
    assert op == "softmax_sparse_categorical_crossentropy_grad"
    np.testing.assert_allclose(fused, chain, rtol=1e-6, atol=1e-6)


def test_fused_softmax_path_matches_finite_differences_float64():
    rng = np.random.default_rng(16)
    z = rng.normal(size=(4, 3))
    t = ref.softmax(rng.normal(size=(4, 3)))
    fn = weighted_sum(lambda a, b: losses.categorical_crossentropy(a, ops.softmax(b), label_smoothing=0.1))
    _, (g,), _, _ = value_and_grads(fn, [t, z], [1])
    np.testing.assert_allclose(g, finite_diff(fn, [t, z], 1), rtol=1e-6, atol=1e-8)


def test_hinge_binary_labels_gradient_wrt_true_is_branch_derivative():
    # labels in {0, 1} are used as 2t - 1: d/dt = 2 * d/d(2t - 1), as jax differentiates the branch
    t = np.array([[0.0, 1.0, 1.0]])
    p = np.array([[0.3, -0.2, 0.4]])
    _, (g,), _, _ = value_and_grads(lambda a, b: losses.Hinge(reduction="sum", dtype="float64")(a, b), [t, p], [0])
    np.testing.assert_allclose(g, [[-2 * 0.3 / 3, -2 * -0.2 / 3, -2 * 0.4 / 3]], rtol=1e-12)
