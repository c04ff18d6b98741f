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
