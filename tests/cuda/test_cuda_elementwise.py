"""CUDA kernels of the broadcasting element-wise ops, comparisons, where and the reductions vs
the CPU kernels of the same ops through `_cuda.run_op` (device=-1: CPU, device=0: CUDA).
Integer and bool results must be identical; float results agree to 1e-5.
"""

import importlib

import numpy as np
import pytest

cuda_backend = importlib.import_module("pykerascore.backend.cuda")

BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "power"]
COMPARE = ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal"]
LOGICAL = ["logical_and", "logical_or", "logical_xor"]
SHAPES = [((4, 5), (4, 5)), ((4, 5), (5,)), ((3, 1, 5), (1, 4, 1)), ((), (2, 3)), ((0, 3), (3,))]
REDUCE_AXES = [None, [0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def assert_same(mod, name, inputs, attrs=None, tol=1e-5):
    attrs = attrs or {}
    cpu = mod.run_op(name, inputs, attrs, device=-1)
    gpu = mod.run_op(name, inputs, attrs, device=0)
    assert len(cpu) == len(gpu)
    for c, g in zip(cpu, gpu):
        assert c.shape == g.shape and c.dtype == g.dtype
        if np.issubdtype(c.dtype, np.floating):
            np.testing.assert_allclose(g, c, rtol=tol, atol=tol)
        else:
            np.testing.assert_array_equal(g, c)


def test_elementwise_ops_are_registered(built):
    names = set(built.cuda_ops())
    for op in BINARY + COMPARE + LOGICAL + ["logical_not", "where", "negative", "zeros_like", "copy", "sum", "mean",
                                            "max", "min", "reduce_grad", "sum_to_shape"]:
        assert op in names


@pytest.mark.cuda
@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("shapes", SHAPES)
def test_binary_float(cuda, op, shapes):
    a, b = rand(*shapes[0]), rand(*shapes[1], seed=1)
    if op == "power":
        a = np.abs(a) + 0.1
    assert_same(cuda, op, [a, b])


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "maximum", "minimum"])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float64])
def test_binary_other_dtypes(cuda, op, dtype):
    a = (rand(6, 7) * 10).astype(dtype)
    b = (rand(7, seed=1) * 10).astype(dtype)
    assert_same(cuda, op, [a, b])


@pytest.mark.cuda
def test_maximum_propagates_nan(cuda):
    a = np.array([np.nan, 1.0, 2.0], np.float32)
    b = np.array([0.0, np.nan, 1.0], np.float32)
    (y,) = cuda.run_op("maximum", [a, b], {}, device=0)
    np.testing.assert_array_equal(np.isnan(y), [True, True, False])


@pytest.mark.cuda
@pytest.mark.parametrize("op", COMPARE)
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int64])
def test_compare(cuda, op, dtype):
    a = np.round(rand(5, 6) * 2).astype(dtype)
    b = np.round(rand(6, seed=1) * 2).astype(dtype)
    assert_same(cuda, op, [a, b])


@pytest.mark.cuda
@pytest.mark.parametrize("op", LOGICAL)
def test_logical(cuda, op):
    a, b = rand(4, 5) > 0, rand(5, seed=1) > 0
    assert_same(cuda, op, [a, b])
    assert_same(cuda, "logical_not", [a])


@pytest.mark.cuda
def test_where_broadcasts_all_three(cuda):
    assert_same(cuda, "where", [rand(3, 1, 5) > 0, rand(4, 1, seed=1), rand(5, seed=2)])


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["negative", "zeros_like", "copy"])
def test_unary_helpers(cuda, op):
    assert_same(cuda, op, [rand(7, 9)])


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axes", REDUCE_AXES)
@pytest.mark.parametrize("keepdims", [0, 1])
def test_reductions(cuda, op, axes, keepdims):
    attrs = {"keepdims": keepdims}
    if axes is not None:
        attrs["axis"] = axes
    assert_same(cuda, op, [rand(4, 33, 300)], attrs, tol=1e-4)  # sums of 40k terms: rounding order differs


@pytest.mark.cuda
@pytest.mark.parametrize("op", ["sum", "max"])
def test_integer_reductions_are_exact(cuda, op):
    assert_same(cuda, op, [(rand(17, 40) * 100).astype(np.int64)], {"axis": [1]})


@pytest.mark.cuda
def test_reduction_is_deterministic(cuda):
    x = rand(2, 100000)
    first = cuda.run_op("sum", [x], {"axis": [1]}, device=0)[0]
    for _ in range(3):
        np.testing.assert_array_equal(cuda.run_op("sum", [x], {"axis": [1]}, device=0)[0], first)


@pytest.mark.cuda
@pytest.mark.parametrize("mean", [0, 1])
def test_reduce_grad(cuda, mean):
    x = rand(4, 5, 6)
    assert_same(cuda, "reduce_grad", [rand(4, 6, seed=1), x], {"axis": [1], "keepdims": 0, "mean": mean})


@pytest.mark.cuda
@pytest.mark.parametrize("shapes", [((4, 5), (5,)), ((3, 4, 5), (4, 1)), ((2, 3), (2, 3)), ((6, 7), (1, 1))])
def test_sum_to_shape(cuda, shapes):
    assert_same(cuda, "sum_to_shape", [rand(*shapes[0]), rand(*shapes[1], seed=1)])
