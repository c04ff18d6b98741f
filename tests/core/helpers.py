"""Small helpers to drive single native ops from NumPy and to check gradients.

Everything goes through ``pykerascore.backend.core`` (the native module): build a Graph,
feed NumPy arrays, evaluate, and compare with a NumPy reference or finite differences.
"""
import numpy as np

from pykerascore.backend import core


def rng(seed=0):
    return np.random.default_rng(seed)


def randn(shape, seed=0, scale=1.0, away_from_zero=0.0):
    """float32 normal values; with away_from_zero, |v| >= that margin (avoids relu kinks)."""
    a = np.asarray(rng(seed).standard_normal(shape) * scale)
    if away_from_zero:
        a = np.where(a < 0, a - away_from_zero, a + away_from_zero)
    return a.astype(np.float32)


def build(arrays):
    """A graph with one input per array (concrete shapes); returns (graph, input ids)."""
    g = core.Graph()
    ids = []
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        ids.append(g.add_input(f"in{i}", list(a.shape), str(a.dtype)))
    return g, ids


def run_op(op, arrays, attrs=None, n_out=1, name="op"):
    """Evaluate one op on the arrays (fed as graph inputs); returns its output(s)."""
    arrays = [np.asarray(a) for a in arrays]
    g, ids = build(arrays)
    outs = g.add_node(op, ids, attrs or {}, name)
    vals = g.evaluate(dict(zip(ids, arrays)), list(outs[:n_out]))
    return vals[0] if n_out == 1 else vals


def scalar_loss(g, out, seed=123):
    """loss = sum(out * r) for a fixed random r, so every output element matters."""
    shape = g.shape(out)
    r = rng(seed).uniform(0.5, 1.5, size=shape).astype(np.float32)
    r *= np.where(rng(seed + 1).random(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)
    rc = g.add_constant(r)
    m = g.add_node("multiply", [out, rc], {}, "loss_mul")[0]
    return g.add_node("reduce_loss", [m], {"reduction": "sum"}, "loss_sum")[0]


def numeric_grad(f, x, eps):
    """Central differences in float64 of the scalar function f at float32 array x."""
    x = np.array(x, dtype=np.float32)
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        fp = float(f(x))
        flat[i] = orig - eps
        fm = float(f(x))
        flat[i] = orig
        # use the actually-representable step
        step = (np.float32(orig + eps) - np.float32(orig - eps)).astype(np.float64)
        gflat[i] = (fp - fm) / step
    return grad


def check_gradients(forward, arrays, wrt, eps=3e-3, rtol=2e-2, atol=1e-3, loss=None):
    """Compare autodiff with central differences.

    forward(g, ids) -> value id of the op output under test (any shape).
    arrays: the inputs (fed as graph inputs); wrt: indices of arrays to differentiate.
    loss(g, out) -> scalar value id (default: sum(out * r)).
    Returns the analytic gradients (list, in wrt order).
    """
    arrays = [np.asarray(a) for a in arrays]
    g, ids = build(arrays)
    out = forward(g, ids)
    lv = loss(g, out) if loss else scalar_loss(g, out)
    gids = g.gradients(lv, [ids[i] for i in wrt])
    feeds = dict(zip(ids, arrays))
    for k, gid in zip(wrt, gids):
        assert gid >= 0, f"no gradient for input {k}"
    analytic = g.evaluate(feeds, list(gids))

    results = []
    for k, an in zip(wrt, analytic):
        assert an.shape == arrays[k].shape, (an.shape, arrays[k].shape)

        def f(xk, k=k):
            fd = dict(feeds)
            fd[ids[k]] = xk
            return g.evaluate(fd, [lv])[0]

        num = numeric_grad(f, arrays[k], eps)
        np.testing.assert_allclose(an, num, rtol=rtol, atol=atol, err_msg=f"gradient of input {k}")
        results.append(an)
    return results
