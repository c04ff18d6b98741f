"""CUDA kernels of the op registry vs the CPU kernels of the same ops, through `_cuda.run_op`
(device=-1 runs the CPU kernel, device=0 the CUDA one on uploaded copies). Forward and backward
ops to 1e-5; dropout masks bit-identical. The harness itself is checked on the CPU when `_cuda`
is built; everything that launches a kernel is marked `cuda`.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")

ACTS = ["relu", "sigmoid", "tanh", "relu6", "hard_sigmoid", "exponential"]


def both(mod, name, inputs, attrs=None, iteration=0):
    attrs = attrs or {}
    cpu = mod.run_op(name, inputs, attrs, device=-1, iteration=iteration)
    gpu = mod.run_op(name, inputs, attrs, device=0, iteration=iteration)
    assert len(cpu) == len(gpu)
    return cpu, gpu


def assert_close(cpu, gpu, tol=1e-5):
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# --- the harness, on the CPU ------------------------------------------------------------------


def test_registered_cuda_ops_cover_the_dense_family(built):
    names = set(built.cuda_ops())
    for op in ["dense", "dense_act_grad", "bias_grad", "dense_weight_grad", "dense_input_grad", "matmul", "dropout"]:
        assert op in names
    for act in ACTS:
        assert act in names and act + "_grad" in names


def test_run_op_on_cpu_matches_numpy(built):
    x = rand(4, 5)
    (y,) = built.run_op("relu", [x], {}, device=-1)
    np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_run_op_on_cpu_uses_the_shape_rule(built):
    x, w, b = rand(3, 4), rand(4, 2, seed=1), rand(2, seed=2)
    (y,) = built.run_op("dense", [x, w, b], {"activation": "linear"}, device=-1)
    np.testing.assert_allclose(y, x @ w + b, rtol=1e-5, atol=1e-6)


def test_run_op_rejects_unknown_ops(built):
    with pytest.raises(ValueError, match="unknown op 'no_such_op'"):
        built.run_op("no_such_op", [rand(2)], {}, device=-1)


# --- GPU ---------------------------------------------------------------------------------------


@pytest.mark.cuda
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_forward_and_grad(cuda, act, dtype):
    x = rand(37, 19, dtype=dtype) * 4
    cpu, gpu = both(cuda, act, [x])
    assert_close(cpu, gpu)
    dy = rand(37, 19, seed=1, dtype=dtype)
    assert_close(*both(cuda, act + "_grad", [dy, cpu[0]]))


@pytest.mark.cuda
@pytest.mark.parametrize("act", ["linear", *ACTS])
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 1), (32, 64, 10), (7, 3, 129), (0, 4, 5), (5, 0, 3), (130, 257, 33)])
def test_dense_forward(cuda, act, with_bias, shape):
    m, k, n = shape
    inputs = [rand(m, k), rand(k, n, seed=1) * 0.3] + ([rand(n, seed=2)] if with_bias else [])
    assert_close(*both(cuda, "dense", inputs, {"activation": act}))


@pytest.mark.cuda
def test_dense_forward_rank3_input(cuda):
    assert_close(*both(cuda, "dense", [rand(2, 5, 8), rand(8, 3, seed=1), rand(3, seed=2)], {"activation": "relu"}))


@pytest.mark.cuda
@pytest.mark.parametrize("act", ["linear", *ACTS])
def test_dense_act_grad(cuda, act):
    y = np.abs(rand(65, 33)) * 0.5  # valid outputs for every activation
    assert_close(*both(cuda, "dense_act_grad", [rand(65, 33, seed=1), y], {"activation": act}))


@pytest.mark.cuda
@pytest.mark.parametrize("shape", [(1, 1, 1), (64, 32, 10), (129, 7, 300), (0, 3, 4)])
def test_dense_weight_input_and_bias_grads(cuda, shape):
    m, k, n = shape
    x, dz, w = rand(m, k), rand(m, n, seed=1), rand(k, n, seed=2)
    assert_close(*both(cuda, "dense_weight_grad", [x, dz]))
    assert_close(*both(cuda, "dense_input_grad", [dz, w]))
    assert_close(*both(cuda, "bias_grad", [dz]))


@pytest.mark.cuda
@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
def test_matmul_transposes(cuda, ta, tb):
    a = rand(*((6, 4) if ta else (4, 6)))
    b = rand(*((5, 6) if tb else (6, 5)), seed=1)
    assert_close(*both(cuda, "matmul", [a, b], {"transpose_a": ta, "transpose_b": tb}))


@pytest.mark.cuda
@pytest.mark.parametrize("noise_shape", [None, [-1, 1, 7], [1, 5, 1]])
@pytest.mark.parametrize("iteration", [0, 3])
def test_dropout_mask_equals_cpu_mask(cuda, noise_shape, iteration):
    x = rand(4, 5, 7) + 3  # nonzero everywhere, so zeros are exactly the dropped elements
    attrs = {"rate": 0.4, "seed": 1234}
    if noise_shape is not None:
        attrs["noise_shape"] = noise_shape
    cpu, gpu = both(cuda, "dropout", [x], attrs, iteration=iteration)
    np.testing.assert_array_equal(gpu[0] == 0, cpu[0] == 0)
    assert_close(cpu, gpu)


@pytest.mark.cuda
def test_dropout_rate_one_zeroes(cuda):
    (y,) = cuda.run_op("dropout", [rand(3, 4) + 3], {"rate": 1.0, "seed": 1}, device=0)
    np.testing.assert_array_equal(y, np.zeros((3, 4), np.float32))


@pytest.mark.cuda
def test_allocator_reuses_blocks(cuda):
    x = rand(256, 256)
    cuda.run_op("relu", [x], {}, device=0)
    calls = cuda.allocator_stats(0)["malloc_calls"]
    for _ in range(3):
        cuda.run_op("relu", [x], {}, device=0)
    assert cuda.allocator_stats(0)["malloc_calls"] == calls
