"""CUDA kernels of the metric accumulators (metric_mean_update, metric_sum_update,
metric_assign, metric_assign_add, batch_size) vs the CPU kernels through `_cuda.run_op`
(device=-1: CPU, device=0: CUDA). In-place ops return the updated state after their outputs.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")


def rand(*shape, seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def assert_same(mod, name, inputs, tol=1e-6):
    cpu = mod.run_op(name, inputs, {}, device=-1)
    gpu = mod.run_op(name, inputs, {}, device=0)
    assert len(cpu) == len(gpu)
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)
    return cpu


def test_run_op_returns_the_updated_state_and_leaves_the_caller_array_alone(built):
    state = np.array([1.0, 2.0], np.float32)
    (new,) = built.run_op("metric_mean_update", [state, np.array([3.0, 5.0], np.float32)], {}, device=-1)
    np.testing.assert_allclose(new, [1.0 + 8.0, 2.0 + 2.0])
    np.testing.assert_array_equal(state, [1.0, 2.0])


def test_metric_ops_are_registered(built):
    assert {"metric_mean_update", "metric_sum_update", "metric_assign", "metric_assign_add",
            "batch_size"} <= set(built.cuda_ops())


@pytest.mark.cuda
@pytest.mark.parametrize("values_shape, weight_shape", [((37,), None), ((8, 5), None), ((8, 5), (8,)),
                                                        ((8, 5), (8, 5)), ((4, 3, 2), (4, 1)), ((), None)])
def test_mean_and_sum_updates(cuda, values_shape, weight_shape):
    v = rand(*values_shape, seed=1) if values_shape else np.array(0.25, np.float32)
    extra = [rand(*weight_shape, seed=2)] if weight_shape else []
    assert_same(cuda, "metric_mean_update", [np.array([0.5, 2.0], np.float32), v] + extra)
    assert_same(cuda, "metric_sum_update", [np.array(1.5, np.float32), v] + extra)


@pytest.mark.cuda
def test_mean_update_over_many_samples(cuda):
    assert_same(cuda, "metric_mean_update", [np.zeros(2, np.float32), rand(100000)], tol=1e-5)


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["metric_assign", "metric_assign_add"])
@pytest.mark.parametrize("value_shape", [(3, 4), (4,), ()])
def test_assign(cuda, op, value_shape):
    val = rand(*value_shape, seed=1) if value_shape else np.array(0.5, np.float32)
    assert_same(cuda, op, [rand(3, 4), val])


@pytest.mark.cuda
def test_batch_size(cuda):
    (cpu,) = assert_same(cuda, "batch_size", [rand(13, 2)])
    assert cpu == 13
