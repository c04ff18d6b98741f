"""CUDA kernels of the loss ops vs the CPU kernels of the same ops through `_cuda.run_op`
(device=-1: CPU, device=0: CUDA): every element-wise loss and its gradients, categorical and
sparse categorical crossentropy (from probabilities and logits, label smoothing, the fused
softmax backwards), the fused sigmoid + binary crossentropy backward, and reduce_loss.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")

EW = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
      "mean_squared_logarithmic_error", "huber", "log_cosh", "hinge", "squared_hinge", "poisson", "kl_divergence",
      "binary_crossentropy", "binary_focal_crossentropy"]


def rng(seed=0):
    return np.random.default_rng(seed)


def probs(shape, seed=0, dtype=np.float32):
    x = rng(seed).random(shape) * 0.98 + 0.01
    return x.astype(dtype)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(z.dtype)


def assert_same(mod, name, inputs, attrs, tol=1e-5):
    cpu = mod.run_op(name, inputs, attrs, device=-1)
    gpu = mod.run_op(name, inputs, attrs, device=0)
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)


def test_loss_ops_are_registered(built):
    names = set(built.cuda_ops())
    for op in EW + ["categorical_crossentropy", "sparse_categorical_crossentropy"]:
        assert op in names and op + "_grad" in names
    for op in ["sigmoid_binary_crossentropy_grad", "softmax_categorical_crossentropy_grad",
               "softmax_sparse_categorical_crossentropy_grad", "reduce_loss", "reduce_loss_grad"]:
        assert op in names


@pytest.mark.cuda
@pytest.mark.parametrize("name", EW)
@pytest.mark.parametrize("binary_labels", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_loss_forward_and_grads(cuda, name, binary_labels, dtype):
    shape = (6, 3, 5)
    t = (rng(1).random(shape) > 0.5).astype(dtype) if binary_labels else probs(shape, 1, dtype)
    p = probs(shape, 2, dtype)
    for attrs in [{}, {"axis": 1}]:
        assert_same(cuda, name, [t, p], attrs)
        dl = rng(3).standard_normal(tuple(d for i, d in enumerate(shape) if i != (attrs.get("axis", -1) % 3)))
        dl = dl.astype(dtype)
        for wrt in [0, 1]:
            assert_same(cuda, name + "_grad", [dl, t, p], {**attrs, "wrt": wrt})


@pytest.mark.cuda
@pytest.mark.parametrize("name", ["binary_crossentropy", "binary_focal_crossentropy"])
@pytest.mark.parametrize("attrs", [{"from_logits": 1}, {"label_smoothing": 0.2}, {"apply_class_balancing": 1, "gamma": 1.5}])
def test_binary_crossentropies_with_options(cuda, name, attrs):
    t = (rng(1).random((8, 4)) > 0.5).astype(np.float32)
    p = rng(2).standard_normal((8, 4)).astype(np.float32) if attrs.get("from_logits") else probs((8, 4), 2)
    assert_same(cuda, name, [t, p], attrs)
    assert_same(cuda, name + "_grad", [rng(3).standard_normal(8).astype(np.float32), t, p], {**attrs, "wrt": 1})


@pytest.mark.cuda
def test_sigmoid_bce_fused_grad(cuda):
    t = (rng(1).random((8, 4)) > 0.5).astype(np.float32)
    q = 1 / (1 + np.exp(-rng(2).standard_normal((8, 4)).astype(np.float32) * 10))  # some clipped
    assert_same(cuda, "sigmoid_binary_crossentropy_grad", [rng(3).standard_normal(8).astype(np.float32), t, q],
                {"label_smoothing": 0.1})


@pytest.mark.cuda
@pytest.mark.parametrize("attrs", [{}, {"from_logits": 1}, {"label_smoothing": 0.1}, {"axis": 1},
                                   {"from_logits": 1, "axis": 0}])
def test_categorical_crossentropy(cuda, attrs):
    onehot = np.eye(5, dtype=np.float32)[rng(1).integers(0, 5, size=(4, 6))]  # class axis last
    t = np.ascontiguousarray(np.moveaxis(onehot, -1, attrs.get("axis", -1) % 3))
    p = rng(2).standard_normal(t.shape).astype(np.float32) if attrs.get("from_logits") else probs(t.shape, 2)
    assert_same(cuda, "categorical_crossentropy", [t, p], attrs)
    dl_shape = tuple(d for i, d in enumerate(t.shape) if i != attrs.get("axis", -1) % 3)
    dl = rng(3).standard_normal(dl_shape).astype(np.float32)
    for wrt in [0, 1]:
        assert_same(cuda, "categorical_crossentropy_grad", [dl, t, p], {**attrs, "wrt": wrt})


@pytest.mark.cuda
def test_softmax_categorical_crossentropy_fused_grad(cuda):
    t = np.eye(7, dtype=np.float32)[rng(1).integers(0, 7, size=32)]
    p = softmax(rng(2).standard_normal((32, 7)).astype(np.float32) * 8)  # some classes clipped
    assert_same(cuda, "softmax_categorical_crossentropy_grad", [rng(3).standard_normal(32).astype(np.float32), t, p],
                {"label_smoothing": 0.05})


@pytest.mark.cuda
@pytest.mark.parametrize("ltype", [np.int32, np.int64, np.uint8, np.float32])
@pytest.mark.parametrize("attrs", [{}, {"from_logits": 1}, {"ignore_class": 2}])
def test_sparse_categorical_crossentropy(cuda, ltype, attrs):
    y = rng(1).integers(0, 6, size=(5, 4)).astype(ltype)
    z = rng(2).standard_normal((5, 4, 6)).astype(np.float32)
    p = z if attrs.get("from_logits") else softmax(z)
    assert_same(cuda, "sparse_categorical_crossentropy", [y, p], attrs)
    dl = rng(3).standard_normal((5, 4)).astype(np.float32)
    assert_same(cuda, "sparse_categorical_crossentropy_grad", [dl, y, p], attrs)
    if not attrs.get("from_logits"):
        assert_same(cuda, "softmax_sparse_categorical_crossentropy_grad", [dl, y, p], attrs)


@pytest.mark.cuda
def test_sparse_label_out_of_range_raises(cuda):
    y = np.array([0, 7, 1], np.int64)
    with pytest.raises(ValueError, match=r"received a label value of 7 which is outside the valid range of \[0, 3\)"):
        cuda.run_op("sparse_categorical_crossentropy", [y, probs((3, 3))], {}, device=0)


@pytest.mark.cuda
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean", "sum", "mean_with_sample_weight"])
@pytest.mark.parametrize("weighted", [False, True])
def test_reduce_loss_and_grad(cuda, reduction, weighted):
    v = rng(1).random(1000).astype(np.float32)
    ins = [v] + ([rng(2).random(1000).astype(np.float32)] if weighted else [])
    attrs = {"reduction": reduction}
    assert_same(cuda, "reduce_loss", ins, attrs, tol=1e-4)
    assert_same(cuda, "reduce_loss_grad", [np.array(0.7, np.float32)] + ins, attrs)


@pytest.mark.cuda
def test_reduce_loss_refuses_broadcast_weights_on_cuda(cuda):
    with pytest.raises(ValueError, match="sample_weight of the loss values' shape"):
        cuda.run_op("reduce_loss", [probs((4, 3)), probs((4, 1))], {}, device=0)
