"""float64 op checks for the layer ops: run one op on arrays, and compare its autodiff
gradient (grad rule + gradient kernels, all in float64) with central differences.

The loss is sum(out * r) for a fixed random r, reduced with sum_to_shape (float64) and cast to
float32 only at the very end, because the graph seeds backprop with a float32 1.0.
"""
import numpy as np

from pykerascore.backend import core


def build(arrays):
    g = core.Graph()
    ids = [g.add_input(f"in{i}", list(np.shape(a)), str(np.asarray(a).dtype)) for i, a in enumerate(arrays)]
    return g, ids


def run(op, arrays, attrs=None, n_out=1, name="op"):
    """Evaluates one op on the arrays; returns its first n_out outputs (one array if n_out == 1)."""
    arrays = [np.ascontiguousarray(a) for a in arrays]
    g, ids = build(arrays)
    outs = g.add_node(op, ids, dict(attrs or {}), name)
    vals = g.evaluate(dict(zip(ids, arrays)), list(outs[:n_out]))
    return vals[0] if n_out == 1 else vals


def _weights(shape, seed):
    r = np.random.default_rng(seed)
    return r.uniform(0.5, 1.5, size=shape) * np.where(r.random(size=shape) < 0.5, -1.0, 1.0)


def check_grad64(op, arrays, wrt, attrs=None, out_index=0, eps=1e-6, rtol=1e-6, atol=1e-9, seed=7):
    """Autodiff vs central differences (float64) of sum(op(arrays)[out_index] * r) w.r.t. arrays[k], k in wrt.
    `op` is an op name or forward(g, ids) -> value id. Returns the analytic gradients."""
    arrays = [np.ascontiguousarray(a) for a in arrays]
    g, ids = build(arrays)
    if callable(op):
        out = op(g, ids)
    else:
        out = g.add_node(op, ids, dict(attrs or {}), "op")[out_index]
    r = _weights(g.shape(out), seed).astype(np.float64)
    m = g.add_node("multiply", [out, g.add_constant(r, "r")], {}, "m")[0]
    total = g.add_node("sum_to_shape", [m, g.add_constant(np.zeros((), np.float64), "like")], {}, "s")[0]
    loss = g.add_node("cast", [total], {"dtype": "float32"}, "loss")[0]
    gids = g.gradients(loss, [ids[k] for k in wrt])
    assert all(gid >= 0 for gid in gids), "no gradient for some input"
    feeds = dict(zip(ids, arrays))
    analytic = g.evaluate(feeds, list(gids))
    for k, an in zip(wrt, analytic):
        x = arrays[k].copy()
        num = np.zeros(x.shape)
        flat, nflat = x.reshape(-1), num.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            vals = []
            for step in (eps, -eps):
                flat[i] = orig + step
                vals.append(float(g.evaluate({**feeds, ids[k]: x}, [total])[0]))
            flat[i] = orig
            nflat[i] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(an, num, rtol=rtol, atol=atol, err_msg=f"gradient of input {k} of {op}")
    return analytic
