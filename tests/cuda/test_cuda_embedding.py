"""CUDA embedding (gather) and embedding_grad (deterministic segmented sum, no float atomics) vs
the CPU kernels through `_cuda.run_op` (device=-1: CPU, device=0: CUDA), plus the out-of-range
index error, which the GPU reports with the CPU's message.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")


def table(V=50, D=7, dtype=np.float32):
    return np.random.default_rng(0).standard_normal((V, D)).astype(dtype)


def both(mod, name, inputs):
    return mod.run_op(name, inputs, {}, device=-1), mod.run_op(name, inputs, {}, device=0)


def test_embedding_ops_are_registered(built):
    assert {"embedding", "embedding_grad"} <= set(built.cuda_ops())


@pytest.mark.cuda
@pytest.mark.parametrize("itype", [np.int32, np.int64, np.uint8, np.float32, np.float64])
def test_forward_gathers_rows(cuda, itype):
    idx = np.random.default_rng(1).integers(0, 50, size=(6, 9)).astype(itype)
    cpu, gpu = both(cuda, "embedding", [idx, table()])
    np.testing.assert_array_equal(gpu[0], cpu[0])


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_matches_cpu_with_repeated_indices(cuda, dtype):
    rng = np.random.default_rng(2)
    idx = rng.integers(0, 20, size=(300,)).astype(np.int64)  # many repeats, hot rows
    idx[:50] = 3
    dy = rng.standard_normal((300, 7)).astype(dtype)
    cpu, gpu = both(cuda, "embedding_grad", [dy, idx, table(50, 7, dtype)])
    # Same summation order as the CPU (index order), so equal, not just close.
    np.testing.assert_array_equal(gpu[0], cpu[0])


@pytest.mark.cuda
def test_grad_is_deterministic(cuda):
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 10, size=(20000,)).astype(np.int32)
    dy = rng.standard_normal((20000, 16)).astype(np.float32)
    args = [dy, idx, table(10, 16)]
    first = cuda.run_op("embedding_grad", args, {}, device=0)[0]
    for _ in range(3):
        np.testing.assert_array_equal(cuda.run_op("embedding_grad", args, {}, device=0)[0], first)


@pytest.mark.cuda
def test_float_indices_truncate_like_the_cpu(cuda):
    idx = np.array([0.9, 3.7, -0.5, 49.99], np.float32)
    cpu, gpu = both(cuda, "embedding", [idx, table()])
    np.testing.assert_array_equal(gpu[0], cpu[0])


@pytest.mark.cuda
@pytest.mark.parametrize("bad", [50, -1])
def test_out_of_range_index_raises_value_error(cuda, bad):
    idx = np.array([1, 2, bad, 4], np.int64)
    with pytest.raises(ValueError, match=rf"index {bad} is out of range: indices must be in \[0, 50\)"):
        cuda.run_op("embedding", [idx, table()], {}, device=0)
    with pytest.raises(ValueError, match=rf"index {bad} is out of range"):
        cuda.run_op("embedding_grad", [np.ones((4, 7), np.float32), idx, table()], {}, device=0)


@pytest.mark.cuda
def test_empty_indices(cuda):
    idx = np.zeros((0, 3), np.int32)
    cpu, gpu = both(cuda, "embedding", [idx, table()])
    assert gpu[0].shape == cpu[0].shape == (0, 3, 7)
    cpu, gpu = both(cuda, "embedding_grad", [np.zeros((0, 3, 7), np.float32), idx, table()])
    np.testing.assert_array_equal(gpu[0], np.zeros((50, 7), np.float32))
