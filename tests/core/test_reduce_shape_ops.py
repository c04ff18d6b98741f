"""Native reduction and shape ops (concatenate, transpose, one_hot, sum/mean/max/min,
argmax/argmin, batch_matmul, reshape, cast): forward vs NumPy, backward vs float64 finite
differences, and shape errors naming the node.
"""
import numpy as np
import pytest

from pykerascore.backend import core

from .helpers import build, run_op
from .test_math_ops import check_grad64, grads_of, node, r64


def concat(axis):
    return lambda g, ids: g.add_node("concatenate", ids, {"axis": axis}, "cat")[0]


# ----------------------------------------------------------------------------- concatenate
@pytest.mark.parametrize("shapes,axis", [
    ([(2, 3), (2, 4)], 1), ([(2, 3), (1, 3), (4, 3)], 0), ([(2, 3, 1), (2, 3, 2)], -1),
    ([(2, 0), (2, 3)], 1), ([(5,)], 0), ([(2, 1, 3), (2, 2, 3)], -2),
])
def test_concatenate_forward(shapes, axis):
    xs = [r64(s, i).astype(np.float32) for i, s in enumerate(shapes)]
    np.testing.assert_array_equal(run_op("concatenate", xs, {"axis": axis}), np.concatenate(xs, axis))


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "uint8", "float64"])
def test_concatenate_any_dtype(dtype):
    xs = [np.array([[1, 0]], dtype), np.array([[0, 1], [1, 1]], dtype)]
    out = run_op("concatenate", xs, {"axis": 0})
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, np.concatenate(xs, 0))


@pytest.mark.parametrize("shapes,axis", [([(2, 3), (2, 4)], 1), ([(2, 3), (1, 3), (3, 3)], 0), ([(2, 1, 2), (2, 2, 2)], 1)])
def test_concatenate_grad(shapes, axis):
    xs = [r64(s, i) for i, s in enumerate(shapes)]
    check_grad64(concat(axis), xs, list(range(len(xs))))


def test_concatenate_grad_only_for_one_input():
    xs = [r64((2, 2), 1), r64((2, 3), 2)]
    check_grad64(concat(1), xs, [1])


def test_concatenate_grad_with_unknown_batch_axis():
    g = core.Graph()
    a = g.add_input("a", [-1, 2], "float64")
    b = g.add_input("b", [-1, 2], "float64")
    y = g.add_node("concatenate", [a, b], {"axis": 0}, "cat")[0]
    s = g.add_node("sum_to_shape", [y, g.add_constant(np.zeros((), np.float64))], {}, "s")[0]
    lv = g.add_node("cast", [s], {"dtype": "float32"}, "c")[0]
    ga, gb = g.gradients(lv, [a, b])
    va, vb = g.evaluate({a: r64((3, 2)), b: r64((1, 2))}, [ga, gb])
    np.testing.assert_array_equal(va, np.ones((3, 2)))
    np.testing.assert_array_equal(vb, np.ones((1, 2)))


def test_concatenate_rank_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"merge.*\(2, 3\).*\(2,\)"):
        run_op("concatenate", [np.ones((2, 3), np.float32), np.ones(2, np.float32)], {"axis": 0}, name="merge")


def test_concatenate_off_axis_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"merge.*\(2, 3\).*\(3, 3\)"):
        run_op("concatenate", [np.ones((2, 3), np.float32), np.ones((3, 3), np.float32)], {"axis": 1}, name="merge")


def test_concatenate_axis_out_of_range_is_value_error():
    with pytest.raises(ValueError, match="axis 2"):
        run_op("concatenate", [np.ones((2, 3), np.float32)] * 2, {"axis": 2})


def test_concatenate_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="merge"):
        run_op("concatenate", [np.ones(2, np.float32), np.ones(2, np.int32)], {"axis": 0}, name="merge")


def test_concatenate_unknown_dims_in_shape_rule():
    g, _ = build([])
    a = g.add_input("a", [-1, 2], "float32")
    b = g.add_input("b", [-1, 3], "float32")
    y = g.add_node("concatenate", [a, b], {"axis": 1}, "cat")[0]
    assert g.shape(y) == (None, 5)
    z = g.add_node("concatenate", [a, a], {"axis": 0}, "cat0")[0]
    assert g.shape(z) == (None, 2)


# ----------------------------------------------------------------------------- sum / mean / max / min
RED = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}
AXES = [None, 0, -1, (0, 2), (-1, 1), ()]


def red_attrs(axis, keepdims):
    attrs = {"keepdims": keepdims}
    if axis is not None:
        attrs["axis"] = [axis] if isinstance(axis, int) else list(axis)
    return attrs


@pytest.mark.parametrize("op", list(RED))
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_forward(op, axis, keepdims):
    x = r64((2, 3, 4), 1)
    out = run_op(op, [x], red_attrs(axis, keepdims))
    np.testing.assert_allclose(out, RED[op](x, axis=axis, keepdims=keepdims), rtol=1e-13)


@pytest.mark.parametrize("op", ["sum", "max", "min"])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_reduce_integer(op, dtype):
    x = np.arange(-5, 7, dtype=dtype).reshape(3, 4)
    out = run_op(op, [x], {"axis": [1]})
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, RED[op](x, axis=1))


@pytest.mark.parametrize("op,ref", [("max", np.any), ("min", np.all)])
def test_bool_max_min_are_any_all(op, ref):
    x = np.array([[True, False], [False, False]])
    np.testing.assert_array_equal(run_op(op, [x], {"axis": [1]}), ref(x, axis=1))


def test_empty_sum_is_zero_and_mean_is_nan():
    x = np.zeros((0, 3), np.float32)
    np.testing.assert_array_equal(run_op("sum", [x], {"axis": [0]}), np.zeros(3))
    assert np.isnan(run_op("mean", [x], {"axis": [0]})).all()


@pytest.mark.parametrize("op", ["max", "min"])
def test_empty_max_min_is_value_error(op):
    with pytest.raises(ValueError, match=r"rd.*zero-size.*\(0, 3\)"):
        run_op(op, [np.zeros((0, 3), np.float32)], {"axis": [0]}, name="rd")


def test_reduce_max_propagates_nan():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], np.float32)
    np.testing.assert_array_equal(np.isnan(run_op("max", [x], {"axis": [1]})), [True, False])


def test_reduce_repeated_axis_is_value_error():
    with pytest.raises(ValueError, match="repeated axis"):
        run_op("sum", [np.ones((2, 3), np.float32)], {"axis": [1, -1]})


def test_reduce_axis_out_of_range_is_value_error():
    with pytest.raises(ValueError, match="axis 2"):
        run_op("sum", [np.ones((2, 3), np.float32)], {"axis": [2]})


def test_mean_rejects_integers():
    with pytest.raises(TypeError, match="mn"):
        run_op("mean", [np.ones(2, np.int32)], name="mn")


@pytest.mark.parametrize("op", list(RED))
@pytest.mark.parametrize("axis", [None, 1, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_grad(op, axis, keepdims):
    check_grad64(node(op, red_attrs(axis, keepdims)), [r64((2, 3, 4), 2)], [0])


@pytest.mark.parametrize("op", ["max", "min"])
def test_reduce_extremum_grad_splits_ties_like_jax(op):
    x = np.array([[1.0, 3.0, 3.0, 2.0], [1.0, 1.0, 1.0, 5.0]])
    if op == "min":
        x = -x
    (gx,) = grads_of(op, [x], [0], {"axis": [1]})
    np.testing.assert_array_equal(gx, [[0, 0.5, 0.5, 0], [0, 0, 0, 1]])


def test_reduce_with_unknown_batch_dim():
    g = core.Graph()
    x = g.add_input("x", [-1, 3], "float32")
    y = g.add_node("mean", [x], {"axis": [0]}, "m")[0]
    assert g.shape(y) == (3,)
    z = g.add_node("sum", [x], {"axis": [1], "keepdims": True}, "s")[0]
    assert g.shape(z) == (None, 1)
    a = r64((5, 3), 3).astype(np.float32)
    vy, vz = g.evaluate({x: a}, [y, z])
    np.testing.assert_allclose(vy, a.mean(0), rtol=1e-6)
    np.testing.assert_allclose(vz, a.sum(1, keepdims=True), rtol=1e-6)


# ----------------------------------------------------------------------------- argmax / argmin
@pytest.mark.parametrize("op,ref", [("argmax", np.argmax), ("argmin", np.argmin)])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_forward(op, ref, axis, keepdims):
    x = np.round(r64((3, 4, 5), 4, -2, 2))  # ties: first occurrence wins
    out = run_op(op, [x], {"axis": axis, "keepdims": keepdims})
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, ref(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("op,ref", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_arg_integer_input_and_nan(op, ref):
    xi = np.array([[3, 7, 7], [1, 0, 0]], np.int64)
    np.testing.assert_array_equal(run_op(op, [xi], {"axis": 1}), ref(xi, axis=1))
    xf = np.array([1.0, np.nan, 5.0, np.nan], np.float32)
    assert run_op(op, [xf], {"axis": 0}) == 1


def test_arg_of_empty_axis_is_value_error():
    with pytest.raises(ValueError, match="am"):
        run_op("argmax", [np.zeros((2, 0), np.float32)], {"axis": 1}, name="am")


# ----------------------------------------------------------------------------- transpose
@pytest.mark.parametrize("shape,axes", [((2, 3), None), ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (2, 0, 1)),
                                        ((2, 3, 4, 5), (-1, 0, 2, 1)), ((4,), None), ((2, 0, 3), (2, 1, 0))])
def test_transpose_forward(shape, axes):
    x = r64(shape, 5).astype(np.float32)
    attrs = {} if axes is None else {"axes": list(axes)}
    np.testing.assert_array_equal(run_op("transpose", [x], attrs), np.transpose(x, axes))


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8", "float64"])
def test_transpose_dtypes(dtype):
    x = (np.arange(6) % 2).astype(dtype).reshape(2, 3)
    np.testing.assert_array_equal(run_op("transpose", [x]), x.T)


@pytest.mark.parametrize("axes", [None, (1, 2, 0), (0, 2, 1)])
def test_transpose_grad(axes):
    attrs = {} if axes is None else {"axes": list(axes)}
    check_grad64(node("transpose", attrs), [r64((2, 3, 4), 6)], [0])


def test_transpose_bad_axes_is_value_error():
    with pytest.raises(ValueError, match="tp"):
        run_op("transpose", [np.ones((2, 3), np.float32)], {"axes": [0, 0]}, name="tp")


# ----------------------------------------------------------------------------- one_hot
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot_forward(axis):
    idx = np.array([[0, 2], [1, 3]], np.int32)  # 3 is out of range: an all-zero row
    ref = np.moveaxis(np.eye(3, dtype=np.float32)[np.minimum(idx, 2)] * (idx < 3)[..., None], -1, axis)
    np.testing.assert_array_equal(run_op("one_hot", [idx], {"num_classes": 3, "axis": axis}), ref)


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_one_hot_dtype(dtype):
    out = run_op("one_hot", [np.array([1, 0], np.int64)], {"num_classes": 2, "dtype": dtype})
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, [[0, 1], [1, 0]])


def test_one_hot_rejects_float_indices():
    with pytest.raises(TypeError, match="oh"):
        run_op("one_hot", [np.ones(2, np.float32)], {"num_classes": 2}, name="oh")


# ----------------------------------------------------------------------------- batch_matmul
BMM = [((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
       ((1, 3, 4), (6, 4, 2)), ((2, 3, 0), (2, 0, 2))]


@pytest.mark.parametrize("sa,sb", BMM)
def test_batch_matmul_forward(sa, sb):
    a, b = r64(sa, 7), r64(sb, 8)
    np.testing.assert_allclose(run_op("batch_matmul", [a, b]), np.matmul(a, b), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
def test_batch_matmul_transposes(ta, tb):
    a, b = r64((2, 3, 4), 9), r64((2, 4, 5), 10)
    a_in = np.swapaxes(a, -1, -2).copy() if ta else a
    b_in = np.swapaxes(b, -1, -2).copy() if tb else b
    out = run_op("batch_matmul", [a_in, b_in], {"transpose_a": ta, "transpose_b": tb})
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)


@pytest.mark.parametrize("sa,sb", BMM[:5])
def test_batch_matmul_grad(sa, sb):
    check_grad64(node("batch_matmul"), [r64(sa, 11), r64(sb, 12)], [0, 1])


@pytest.mark.parametrize("ta,tb", [(1, 0), (0, 1), (1, 1)])
def test_batch_matmul_grad_with_transposes(ta, tb):
    a = r64((2, 4, 3) if ta else (2, 3, 4), 13)
    b = r64((2, 5, 4) if tb else (2, 4, 5), 14)
    check_grad64(node("batch_matmul", {"transpose_a": ta, "transpose_b": tb}), [a, b], [0, 1])


def test_batch_matmul_inner_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"bm.*\(2, 3, 4\).*\(2, 5, 5\)"):
        run_op("batch_matmul", [np.ones((2, 3, 4), np.float32), np.ones((2, 5, 5), np.float32)], name="bm")


def test_batch_matmul_batch_mismatch_is_value_error():
    with pytest.raises(ValueError, match="bm"):
        run_op("batch_matmul", [np.ones((2, 3, 4), np.float32), np.ones((3, 4, 5), np.float32)], name="bm")


# ----------------------------------------------------------------------------- composition
def test_custom_layer_style_composition_grad():
    """A small function of several ops (a masked, clipped, normalised softplus-like score with
    a batched matmul) differentiated end to end."""
    def fwd(g, ids):
        x, w = ids
        h = g.add_node("batch_matmul", [x, w], {}, "mm")[0]                       # (2, 3, 4)
        e = g.add_node("exp", [g.add_node("clip", [h], {"min": -2.0, "max": 2.0}, "cl")[0]], {}, "ex")[0]
        s = g.add_node("log1p", [e], {}, "sp")[0]
        m = g.add_node("max", [s], {"axis": [-1], "keepdims": True}, "mx")[0]
        d = g.add_node("divide", [s, g.add_node("add", [m, g.add_constant(np.ones((), np.float64))], {}, "a")[0]], {}, "dv")[0]
        c = g.add_node("concatenate", [d, g.add_node("square", [h], {}, "sq")[0]], {"axis": 1}, "cat")[0]
        t = g.add_node("transpose", [c], {"axes": [0, 2, 1]}, "tp")[0]
        cond = g.add_node("greater", [t, g.add_constant(np.full((), 0.3))], {}, "gt")[0]
        mask = g.add_node("where", [cond, t, g.add_node("sqrt", [g.add_node("abs", [t], {}, "ab")[0]], {}, "sr")[0]], {}, "w")[0]
        return g.add_node("mean", [mask], {"axis": [1]}, "mean")[0]
    x, w = r64((2, 3, 5), 15), r64((5, 4), 16)
    check_grad64(fwd, [x, w], [0, 1], rtol=1e-5, atol=1e-8)


# ----------------------------------------------------------------------------- reshape / cast (kept semantics)
def test_reshape_is_still_a_view_op():
    x = r64((2, 6), 17)
    np.testing.assert_array_equal(run_op("reshape", [x], {"shape": [3, -1]}), x.reshape(3, 4))


@pytest.mark.parametrize("src,dst", [("bool", "float32"), ("bool", "int32"), ("int32", "float64")])
def test_cast_bool(src, dst):
    x = np.array([0, 1, 2, 0]).astype(src)
    out = run_op("cast", [x], {"dtype": dst})
    np.testing.assert_array_equal(out, x.astype(dst))
