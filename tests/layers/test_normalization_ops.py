"""layer_normalization, batch_moments, batch_normalization and moving_average_update vs NumPy
(Keras formulas) in float32 and float64, and their gradients vs finite differences (float64)."""
import numpy as np
import pytest

from pykerascore.backend import core
from pykerascore.backend.variables import Variable

from .opcheck import check_grad64, run


def data(shape, seed, dtype="float64"):
    return (np.random.default_rng(seed).normal(size=shape) * 2 + 0.5).astype(dtype)


def np_layer_norm(x, axes, gamma, beta, eps):
    x = x.astype(np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    bshape = [x.shape[d] if d in axes else 1 for d in range(x.ndim)]
    if gamma is not None:
        y = y * gamma.reshape(bshape)
    if beta is not None:
        y = y + beta.reshape(bshape)
    return y


def np_bn(x, axis, mean, var, gamma, beta, eps):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    y = (x.astype(np.float64) - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if gamma is not None:
        y = y * gamma.reshape(shape)
    if beta is not None:
        y = y + beta.reshape(shape)
    return y


def params(n_shape, scale, center, seed=3, dtype="float64"):
    out = []
    if scale:
        out.append(data(n_shape, seed, dtype))
    if center:
        out.append(data(n_shape, seed + 1, dtype))
    return out


def unpack(scale, center, ps):
    gamma = ps[0] if scale else None
    beta = ps[int(scale)] if center else None
    return gamma, beta


# ------------------------------------------------------------------------------ layer_norm
LN_CASES = [((4, 6), [1]), ((2, 3, 5), [2]), ((2, 3, 5), [1, 2]), ((2, 3, 4), [1])]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,axes", LN_CASES)
@pytest.mark.parametrize("scale,center", [(True, True), (False, True), (True, False), (False, False)])
def test_layer_norm_forward(dtype, shape, axes, scale, center):
    x = data(shape, 1, dtype)
    ps = params(tuple(shape[d] for d in axes), scale, center, dtype=dtype)
    attrs = {"axes": axes, "epsilon": 1e-3, "scale": int(scale), "center": int(center)}
    y = run("layer_normalization", [x] + ps, attrs)
    assert y.dtype == dtype
    ref = np_layer_norm(x, tuple(axes), *unpack(scale, center, ps), 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-5 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("shape,axes", LN_CASES)
@pytest.mark.parametrize("scale,center", [(True, True), (False, False)])
def test_layer_norm_gradients(shape, axes, scale, center):
    x = data(shape, 2)
    ps = params(tuple(shape[d] for d in axes), scale, center)
    attrs = {"axes": axes, "epsilon": 1e-3, "scale": int(scale), "center": int(center)}
    check_grad64("layer_normalization", [x] + ps, list(range(1 + len(ps))), attrs)


def test_layer_norm_rejects_non_contiguous_axes():
    with pytest.raises(ValueError, match="ln.*contiguous"):
        run("layer_normalization", [np.ones((2, 3, 4), np.float32)], {"axes": [0, 2], "scale": 0, "center": 0}, name="ln")


def test_layer_norm_rejects_wrong_gamma_shape():
    with pytest.raises(ValueError, match=r"ln: gamma has shape \(3,\), expected \(4,\)"):
        run("layer_normalization", [np.ones((2, 4), np.float32), np.ones(3, np.float32)], {"scale": 1, "center": 0}, name="ln")


# ------------------------------------------------------------------------------ batch_moments
BN_CASES = [((8, 3), -1), ((4, 3, 5), 1), ((2, 3, 2, 4), -1), ((3, 4, 2, 2), 1)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,axis", BN_CASES)
def test_batch_moments_forward(dtype, shape, axis):
    x = data(shape, 4, dtype)
    mean, var = run("batch_moments", [x], {"axis": axis}, n_out=2)
    red = tuple(d for d in range(len(shape)) if d != axis % len(shape))
    tol = 1e-6 if dtype == "float32" else 1e-13
    assert mean.dtype == dtype and mean.shape == (shape[axis],)
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(axis=red), rtol=tol, atol=tol)
    np.testing.assert_allclose(var, x.astype(np.float64).var(axis=red), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape,axis", BN_CASES)
def test_batch_moments_gradients(shape, axis):
    # Both outputs feed the loss (mean + 3 var), so both gradient paths are checked.
    def forward(g, ids):
        mean, var = g.add_node("batch_moments", ids, {"axis": axis}, "bn")
        three = g.add_constant(np.array(3.0), "three")
        return g.add_node("add", [mean, g.add_node("multiply", [var, three], {}, "m")[0]], {}, "a")[0]

    check_grad64(forward, [data(shape, 5)], [0])


def _bn_train(g, ids, attrs):
    """Training-mode batch normalization as the layer builds it: normalise with the batch moments."""
    mean, var = g.add_node("batch_moments", [ids[0]], {"axis": attrs["axis"]}, "bn")
    return g.add_node("batch_normalization", [ids[0], mean, var] + ids[1:], attrs, "bn")[0]


@pytest.mark.parametrize("shape,axis", BN_CASES)
@pytest.mark.parametrize("scale,center", [(True, True), (False, True), (True, False)])
def test_training_mode_composition_gradients(shape, axis, scale, center):
    x = data(shape, 5)
    ps = params((shape[axis],), scale, center)
    attrs = {"axis": axis, "epsilon": 1e-3, "scale": int(scale), "center": int(center)}
    check_grad64(lambda g, ids: _bn_train(g, ids, attrs), [x] + ps, list(range(1 + len(ps))))


def test_batch_moments_rejects_bad_axis():
    with pytest.raises(ValueError, match="bn"):
        run("batch_moments", [np.ones((2, 3), np.float32)], {"axis": 2}, n_out=2, name="bn")


# ------------------------------------------------------------------------------ batch_normalization
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,axis", BN_CASES)
def test_batch_normalization_forward(dtype, shape, axis):
    x = data(shape, 7, dtype)
    c = shape[axis]
    mean, var = data((c,), 8, dtype), np.abs(data((c,), 9, dtype)) + 0.1
    ps = params((c,), True, True, dtype=dtype)
    y = run("batch_normalization", [x, mean, var] + ps, {"axis": axis, "epsilon": 1e-3})
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y, np_bn(x, axis % len(shape), mean, var, *ps, 1e-3), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape,axis", BN_CASES[:2])
@pytest.mark.parametrize("scale,center", [(True, True), (False, False)])
def test_batch_normalization_gradients(shape, axis, scale, center):
    c = shape[axis]
    x, mean, var = data(shape, 10), data((c,), 11), np.abs(data((c,), 12)) + 0.1
    ps = params((c,), scale, center)
    attrs = {"axis": axis, "epsilon": 1e-3, "scale": int(scale), "center": int(center)}
    check_grad64("batch_normalization", [x, mean, var] + ps, list(range(3 + len(ps))), attrs)


def test_batch_normalization_rejects_wrong_statistics_shape():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"bn: mean has shape \(4,\)"):
        run("batch_normalization", [x, np.ones(4, np.float32), np.ones(3, np.float32)], {"scale": 0, "center": 0}, name="bn")


# ------------------------------------------------------------------------------ moving_average_update
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_moving_average_update_in_place(dtype):
    start = np.array([1.0, -2.0, 3.0], dtype)
    value = np.array([0.5, 0.25, -1.0], dtype)
    v = Variable(start, dtype=dtype, trainable=False, name="moving")
    g = core.Graph()
    vid = g.add_variable(v._native)
    xid = g.add_input("value", [3], dtype)
    g.add_node("moving_average_update", [vid, xid], {"momentum": 0.9}, "bn/moving")
    g.evaluate({xid: value}, [])
    T = np.dtype(dtype).type
    np.testing.assert_array_equal(v.numpy(), start * T(0.9) + value * T(1.0 - 0.9))


def test_moving_average_update_rejects_shape_mismatch():
    v = Variable(np.zeros(3, np.float32), trainable=False)
    g = core.Graph()
    vid, xid = g.add_variable(v._native), g.add_input("value", [4], "float32")
    with pytest.raises(ValueError, match=r"bn/moving.*\(3,\).*\(4,\)"):
        g.add_node("moving_average_update", [vid, xid], {"momentum": 0.9}, "bn/moving")
