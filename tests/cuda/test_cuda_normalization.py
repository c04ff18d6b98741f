"""CUDA layer / batch normalization kernels (forward, gradients, moments, moving averages) vs
the CPU kernels through `_cuda.run_op` (device=-1: CPU, device=0: CUDA), to 1e-5.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def assert_same(mod, name, inputs, attrs, tol=1e-5):
    cpu = mod.run_op(name, inputs, attrs, device=-1)
    gpu = mod.run_op(name, inputs, attrs, device=0)
    assert len(cpu) == len(gpu)
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)
    return cpu


def test_normalization_ops_are_registered(built):
    names = set(built.cuda_ops())
    for op in ["layer_normalization", "batch_moments", "batch_normalization"]:
        assert op in names and op + "_grad" in names
    assert "moving_average_update" in names


@pytest.mark.cuda
@pytest.mark.parametrize("axes", [None, [1], [1, 2], [0]])
@pytest.mark.parametrize("scale, center", [(1, 1), (0, 1), (1, 0), (0, 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_normalization(cuda, axes, scale, center, dtype):
    x = rand(4, 6, 5, dtype=dtype) * 3 + 1
    attrs = {"scale": scale, "center": center, "epsilon": 1e-3}
    if axes is not None:
        attrs["axes"] = axes
    last = axes[-1] if axes else 2
    first = axes[0] if axes else 2
    pshape = x.shape[first:last + 1]
    params = ([rand(*pshape, seed=1, dtype=dtype)] if scale else []) + ([rand(*pshape, seed=2, dtype=dtype)] if center else [])
    assert_same(cuda, "layer_normalization", [x] + params, attrs)
    grad_in = [rand(*x.shape, seed=3, dtype=dtype), x] + (params[:1] if scale else [])
    assert_same(cuda, "layer_normalization_grad", grad_in, attrs)


@pytest.mark.cuda
@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_batch_moments_and_grad(cuda, axis):
    x = rand(16, 5, 7) * 2 + 3
    mean, var = assert_same(cuda, "batch_moments", [x], {"axis": axis})
    m = x.shape[axis]
    assert_same(cuda, "batch_moments_grad", [rand(m, seed=1), rand(m, seed=2), x, mean], {"axis": axis})


@pytest.mark.cuda
@pytest.mark.parametrize("scale, center", [(1, 1), (0, 0), (1, 0)])
def test_batch_normalization_and_grad(cuda, scale, center):
    x = rand(16, 5, 7)
    mean, var = rand(7, seed=1), np.abs(rand(7, seed=2)) + 0.5
    gamma, beta = rand(7, seed=3), rand(7, seed=4)
    attrs = {"axis": -1, "scale": scale, "center": center, "epsilon": 1e-3}
    params = ([gamma] if scale else []) + ([beta] if center else [])
    assert_same(cuda, "batch_normalization", [x, mean, var] + params, attrs)
    assert_same(cuda, "batch_normalization_grad", [rand(16, 5, 7, seed=5), x, mean, var] + ([gamma] if scale else []),
                attrs)


@pytest.mark.cuda
def test_moving_average_update(cuda):
    assert_same(cuda, "moving_average_update", [rand(9), rand(9, seed=1)], {"momentum": 0.9})
