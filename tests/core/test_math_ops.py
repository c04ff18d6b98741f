"""Native element-wise math ops (binary arithmetic incl. maximum/minimum/power, unary math,
clip, comparisons, logical ops, where): forward vs NumPy, backward vs float64 finite
differences, and shape/dtype errors. `check_grad64` is the float64 gradient checker that
test_reduce_shape_ops.py reuses.
"""
import numpy as np
import pytest

from .helpers import build, run_op


def r64(shape, seed=0, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(np.float64)


def check_grad64(forward, arrays, wrt, eps=1e-6, rtol=1e-6, atol=1e-9):
    """Autodiff vs central differences, everything in float64.

    forward(g, ids) -> value id under test. The loss is sum(out * r) (r fixed, random), summed
    by sum_to_shape and cast to float32 for `gradients` (whose seed is a float32 one); the
    finite differences read the float64 sum before that cast. Returns the analytic gradients.
    """
    arrays = [np.asarray(a) for a in arrays]
    g, ids = build(arrays)
    out = forward(g, ids)
    shape = g.shape(out)
    r = np.random.default_rng(99).uniform(0.5, 1.5, size=shape) * np.where(
        np.random.default_rng(98).random(size=shape) < 0.5, -1.0, 1.0)
    m = g.add_node("multiply", [out, g.add_constant(np.asarray(r, np.float64))], {}, "loss_mul")[0]
    s = g.add_node("sum_to_shape", [m, g.add_constant(np.zeros((), np.float64))], {}, "loss_sum")[0]
    lv = g.add_node("cast", [s], {"dtype": "float32"}, "loss_cast")[0]
    gids = g.gradients(lv, [ids[i] for i in wrt])
    assert all(gid >= 0 for gid in gids), "no gradient"
    feeds = dict(zip(ids, arrays))
    analytic = g.evaluate(feeds, list(gids))
    for k, an in zip(wrt, analytic):
        x = arrays[k].astype(np.float64).copy()
        num = np.zeros_like(x)
        flat, nflat = x.reshape(-1), num.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            vals = []
            for step in (eps, -eps):
                flat[i] = orig + step
                vals.append(g.evaluate({**feeds, ids[k]: x}, [s])[0])
            flat[i] = orig
            nflat[i] = (vals[0] - vals[1]) / (2 * eps)
        assert an.shape == arrays[k].shape
        np.testing.assert_allclose(an, num, rtol=rtol, atol=atol, err_msg=f"gradient of input {k}")
    return analytic


def node(name, attrs=None):
    return lambda g, ids: g.add_node(name, ids, attrs or {}, name)[0]


def grads_of(op, arrays, wrt, attrs=None, seed=None):
    """Analytic gradients of sum(op(...)) (seed: dL/dout, default all ones) in float64."""
    g, ids = build(arrays)
    out = g.add_node(op, ids, attrs or {}, op)[0]
    w = np.ones(g.shape(out)) if seed is None else seed
    m = g.add_node("multiply", [out, g.add_constant(np.asarray(w, np.float64))], {}, "m")[0]
    s = g.add_node("sum_to_shape", [m, g.add_constant(np.zeros((), np.float64))], {}, "s")[0]
    lv = g.add_node("cast", [s], {"dtype": "float32"}, "c")[0]
    gids = g.gradients(lv, [ids[i] for i in wrt])
    return g.evaluate(dict(zip(ids, arrays)), list(gids))


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (5, 1))]


# ----------------------------------------------------------------------------- maximum / minimum
@pytest.mark.parametrize("op,ref", [("maximum", np.maximum), ("minimum", np.minimum)])
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_extremum_forward_broadcasts(op, ref, sa, sb):
    a, b = r64(sa, 1).astype(np.float32), r64(sb, 2).astype(np.float32)
    np.testing.assert_array_equal(run_op(op, [a, b]), ref(a, b))


@pytest.mark.parametrize("op,ref", [("maximum", np.maximum), ("minimum", np.minimum)])
@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8"])
def test_extremum_integer_dtypes(op, ref, dtype):
    a = np.array([[1, 7, 3]], dtype)
    b = np.array([[4], [2]], dtype)
    out = run_op(op, [a, b])
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, ref(a, b))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_extremum_propagates_nan(op):
    a = np.array([np.nan, 1.0], np.float32)
    b = np.array([0.0, np.nan], np.float32)
    assert np.isnan(run_op(op, [a, b])).all()


@pytest.mark.parametrize("op", ["maximum", "minimum"])
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_extremum_grad(op, sa, sb):
    a, b = r64(sa, 3), r64(sb, 4)
    check_grad64(node(op), [a, b], [0, 1])


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_extremum_grad_splits_ties_evenly_like_jax(op):
    a = np.array([1.0, 2.0, 0.0])
    b = np.array([1.0, 1.0, 1.0])
    ga, gb = grads_of(op, [a, b], [0, 1])
    big = [0.5, 1.0, 0.0] if op == "maximum" else [0.5, 0.0, 1.0]
    np.testing.assert_array_equal(ga, big)
    np.testing.assert_array_equal(gb, 1.0 - np.array(big))


def test_maximum_grad_tie_with_broadcast_scalar_sums():
    a = np.array([[0.0, 2.0], [0.0, -1.0]])
    b = np.zeros(())
    _, gb = grads_of("maximum", [a, b], [0, 1])
    assert gb == pytest.approx(0.5 + 0.5 + 1.0)


def test_extremum_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="lay"):
        run_op("maximum", [np.ones(2, np.float32), np.ones(2, np.float64)], name="lay")


def test_extremum_incompatible_shapes_is_value_error():
    with pytest.raises(ValueError, match=r"mx.*\(2, 3\).*\(4,\)"):
        run_op("minimum", [np.ones((2, 3), np.float32), np.ones(4, np.float32)], name="mx")
