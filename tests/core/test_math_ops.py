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


# ----------------------------------------------------------------------------- power
def test_power_forward_broadcasts():
    a, b = r64((3, 4), 5, 0.1, 2.0).astype(np.float32), r64((4,), 6, -2, 2).astype(np.float32)
    np.testing.assert_allclose(run_op("power", [a, b]), np.power(a, b), rtol=1e-6)


def test_power_grad():
    check_grad64(node("power"), [r64((3, 4), 7, 0.2, 2.0), r64((4,), 8, -2, 2)], [0, 1])


def test_power_rejects_integers():
    with pytest.raises(TypeError, match="pw"):
        run_op("power", [np.ones(2, np.int32), np.ones(2, np.int32)], name="pw")


# ----------------------------------------------------------------------------- unary math
UNARY = {
    "square": (np.square, (-2, 2)), "sqrt": (np.sqrt, (0.1, 3)), "exp": (np.exp, (-2, 2)),
    "log": (np.log, (0.1, 3)), "log1p": (np.log1p, (-0.5, 3)), "abs": (np.abs, (-2, 2)),
    "sign": (np.sign, (-2, 2)),
}


@pytest.mark.parametrize("op", list(UNARY))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_forward(op, dtype):
    fn, (lo, hi) = UNARY[op]
    x = r64((3, 5), 9, lo, hi).astype(dtype)
    out = run_op(op, [x])
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, fn(x), rtol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.parametrize("op", ["square", "abs", "sign"])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_unary_integer_forward(op, dtype):
    x = np.array([[-3, 0, 2]], dtype)
    out = run_op(op, [x])
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, UNARY[op][0](x))


@pytest.mark.parametrize("op", ["sqrt", "exp", "log", "log1p"])
def test_float_only_unary_rejects_integers(op):
    with pytest.raises(TypeError, match="un"):
        run_op(op, [np.ones(2, np.int32)], name="un")


@pytest.mark.parametrize("op", ["square", "sqrt", "exp", "log", "log1p", "abs"])
def test_unary_grad(op):
    lo, hi = UNARY[op][1]
    x = r64((2, 3), 10, lo, hi)
    if op == "abs":
        x = np.where(np.abs(x) < 0.1, 0.5, x)  # away from the kink
    check_grad64(node(op), [x], [0])


def test_abs_grad_at_zero_is_one_like_jax():
    (gx,) = grads_of("abs", [np.array([0.0, -1.0, 2.0])], [0])
    np.testing.assert_array_equal(gx, [1.0, -1.0, 1.0])


def test_sign_grad_is_zero():
    (gx,) = grads_of("sign", [r64((4,), 11)], [0])
    np.testing.assert_array_equal(gx, np.zeros(4))


# ----------------------------------------------------------------------------- clip
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_clip_forward(dtype):
    x = (r64((4, 5), 12, -3, 3) * (1 if dtype.startswith("float") else 3)).astype(dtype)
    np.testing.assert_array_equal(run_op("clip", [x], {"min": -1.0, "max": 2.0}), np.clip(x, -1, 2))


def test_clip_grad():
    x = r64((3, 4), 13, -3, 3)
    x = np.where(np.abs(np.abs(x - 0.5) - 1.5) < 0.05, 0.0, x)  # keep off the bounds -1 and 2
    check_grad64(node("clip", {"min": -1.0, "max": 2.0}), [x], [0])


def test_clip_grad_halves_at_the_bounds_like_jax():
    (gx,) = grads_of("clip", [np.array([0.0, 1.0, 0.5, 2.0, -1.0])], [0], {"min": 0.0, "max": 1.0})
    np.testing.assert_array_equal(gx, [0.5, 0.5, 1.0, 0.0, 0.0])


def test_clip_without_bounds_is_value_error():
    with pytest.raises(ValueError, match="cl"):
        run_op("clip", [np.ones(2, np.float32)], {"min": 0.0}, name="cl")


# ----------------------------------------------------------------------------- comparisons / logical
CMP = {"equal": np.equal, "not_equal": np.not_equal, "greater": np.greater, "greater_equal": np.greater_equal,
       "less": np.less, "less_equal": np.less_equal}


@pytest.mark.parametrize("op", list(CMP))
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_compare_forward_broadcasts(op, sa, sb):
    a = np.round(r64(sa, 14, -2, 2)).astype(np.float32)  # rounded so that ties occur
    b = np.round(r64(sb, 15, -2, 2)).astype(np.float32)
    out = run_op(op, [a, b])
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, CMP[op](a, b))


@pytest.mark.parametrize("op", list(CMP))
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "float64"])
def test_compare_dtypes(op, dtype):
    a, b = np.array([0, 1, 1], dtype), np.array([1, 1, 0], dtype)
    np.testing.assert_array_equal(run_op(op, [a, b]), CMP[op](a, b))


def test_compare_has_no_gradient():
    g, ids = build([np.ones(3), np.ones(3)])
    c = g.add_node("greater", ids, {}, "gt")[0]
    y = g.add_node("where", [c, ids[0], ids[1]], {}, "w")[0]
    s = g.add_node("sum_to_shape", [y, g.add_constant(np.zeros((), np.float64))], {}, "s")[0]
    lv = g.add_node("cast", [s], {"dtype": "float32"}, "c")[0]
    assert g.gradients(lv, [c])[0] == -1


@pytest.mark.parametrize("op,ref", [("logical_and", np.logical_and), ("logical_or", np.logical_or),
                                    ("logical_xor", np.logical_xor)])
def test_logical_binary(op, ref):
    a = np.array([[True, False, True, False]])
    b = np.array([[True], [False]])
    np.testing.assert_array_equal(run_op(op, [a, b]), ref(a, b))


def test_logical_not():
    a = np.array([True, False])
    np.testing.assert_array_equal(run_op("logical_not", [a]), [False, True])


def test_logical_rejects_non_bool():
    with pytest.raises(TypeError, match="lg"):
        run_op("logical_and", [np.ones(2, np.float32), np.ones(2, np.float32)], name="lg")


# ----------------------------------------------------------------------------- where
@pytest.mark.parametrize("sc,sx,sy", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()), ((4,), (2, 1, 4), (1, 4))])
def test_where_forward_broadcasts(sc, sx, sy):
    c = r64(sc, 16) > 0
    x, y = r64(sx, 17).astype(np.float32), r64(sy, 18).astype(np.float32)
    np.testing.assert_array_equal(run_op("where", [c, x, y]), np.where(c, x, y))


@pytest.mark.parametrize("dtype", ["int32", "bool", "float64"])
def test_where_dtypes(dtype):
    c = np.array([True, False, True])
    x, y = np.array([1, 1, 0], dtype), np.array([0, 0, 1], dtype)
    out = run_op("where", [c, x, y])
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, np.where(c, x, y))


@pytest.mark.parametrize("sc,sx,sy", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()), ((4,), (2, 1, 4), (1, 4))])
def test_where_grad(sc, sx, sy):
    c = r64(sc, 19) > 0
    check_grad64(node("where"), [c, r64(sx, 20), r64(sy, 21)], [1, 2])


def test_where_condition_must_be_bool():
    with pytest.raises(TypeError, match="wh"):
        run_op("where", [np.ones(2, np.float32)] * 3, name="wh")
