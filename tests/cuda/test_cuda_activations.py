"""CUDA kernels of the parametrised activations (gelu both forms, elu, selu, softplus, silu,
softsign, leaky_relu) and softmax / log_softmax over any axes, vs the CPU kernels of the same
ops through `_cuda.run_op` (device=-1: CPU, device=0: CUDA). Forward and gradient to 1e-5.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")

PARAM_ACTS = [
    ("gelu", {"approximate": 1}), ("gelu", {"approximate": 0}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("selu", {}), ("softplus", {}), ("silu", {}), ("softsign", {}), ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}),
]
SOFTMAX_AXES = [None, [1], [0], [0, 2], [1, 2], [0, 1, 2]]


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def both(mod, name, inputs, attrs):
    return mod.run_op(name, inputs, attrs, device=-1), mod.run_op(name, inputs, attrs, device=0)


def assert_close(pair, tol=1e-5):
    cpu, gpu = pair
    assert len(cpu) == len(gpu)
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)


def test_activation_ops_are_registered(built):
    names = set(built.cuda_ops())
    for op in ["gelu", "elu", "selu", "softplus", "silu", "softsign", "leaky_relu", "softmax", "log_softmax"]:
        assert op in names and op + "_grad" in names


@pytest.mark.cuda
@pytest.mark.parametrize("name, attrs", PARAM_ACTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_param_activation_forward_and_grad(cuda, name, attrs, dtype):
    x = rand(41, 17, dtype=dtype) * 4
    x[0, :4] = [0.0, 30.0, -30.0, 0.5]  # kinks, saturation, the threshold
    assert_close(both(cuda, name, [x], attrs))
    assert_close(both(cuda, name + "_grad", [rand(41, 17, seed=1, dtype=dtype), x], attrs))


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axes", SOFTMAX_AXES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_forward_and_grad(cuda, op, axes, dtype):
    x = rand(3, 5, 300, dtype=dtype) * 3  # a slice longer than one block
    attrs = {} if axes is None else {"axes": axes}
    cpu, gpu = both(cuda, op, [x], attrs)
    assert_close((cpu, gpu))
    assert_close(both(cuda, op + "_grad", [rand(3, 5, 300, seed=1, dtype=dtype), cpu[0]], attrs))


@pytest.mark.cuda
def test_softmax_many_rows_and_empty(cuda):
    assert_close(both(cuda, "softmax", [rand(70000, 3)], {}))  # more slices than one grid
    assert_close(both(cuda, "softmax", [rand(0, 4)], {}))


@pytest.mark.cuda
def test_softmax_is_deterministic(cuda):
    x = rand(8, 5000)
    first = cuda.run_op("softmax", [x], {}, device=0)[0]
    for _ in range(3):
        np.testing.assert_array_equal(cuda.run_op("softmax", [x], {}, device=0)[0], first)
