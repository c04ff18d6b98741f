"""Drive pykerascore losses from NumPy: trace a loss into a native graph with placeholders of a
chosen dtype (float64 for gradient checks), evaluate it and its gradients, and take central
finite differences in float64."""
import numpy as np

from pykerascore.backend import symbolic


def trace(fn, arrays):
    """Graph with one placeholder per array (its dtype and shape); returns (graph, tensors, out)."""
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        ts = [symbolic.placeholder(g, a.shape, str(a.dtype), f"in{i}") for i, a in enumerate(arrays)]
        out = fn(*ts)
    return g, ts, out


def evaluate(fn, arrays):
    arrays = [np.asarray(a) for a in arrays]
    g, ts, out = trace(fn, arrays)
    return g.evaluate({t._vid: a for t, a in zip(ts, arrays)}, [out._vid])[0]


def value_and_grads(fn, arrays, wrt):
    """Scalar loss fn(*arrays) and its gradients wrt the listed argument indices (autodiff)."""
    arrays = [np.asarray(a) for a in arrays]
    g, ts, out = trace(fn, arrays)
    assert tuple(g.shape(out._vid)) == (), "value_and_grads needs a scalar loss"
    gids = g.gradients(out._vid, [ts[i]._vid for i in wrt])
    assert all(gid >= 0 for gid in gids), "no gradient"
    feeds = {t._vid: a for t, a in zip(ts, arrays)}
    vals = g.evaluate(feeds, [out._vid] + list(gids))
    return vals[0], vals[1:], g, gids


def finite_diff(fn, arrays, k, eps=1e-6):
    """Central differences of the scalar fn(*arrays) wrt arrays[k] (float64)."""
    arrays = [np.array(a) for a in arrays]
    g, ts, out = trace(fn, arrays)
    feeds = {t._vid: a for t, a in zip(ts, arrays)}
    x = arrays[k]
    grad = np.zeros(x.shape)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        fp = g.evaluate({**feeds, ts[k]._vid: x}, [out._vid])[0]
        flat[i] = orig - eps
        fm = g.evaluate({**feeds, ts[k]._vid: x}, [out._vid])[0]
        flat[i] = orig
        gflat[i] = (float(fp) - float(fm)) / (2 * eps)
    return grad


def weighted_sum(values_fn, seed=7):
    """fn(*args) -> sum(values * r) for a fixed random r (so every per-sample value matters);
    built from native ops only (multiply by a placeholder-free constant is avoided for float64)."""
    def fn(*ts):
        from pykerascore.losses.loss import reduce_weighted_values
        v = values_fn(*ts)
        r = np.random.default_rng(seed).uniform(0.5, 1.5, size=tuple(v.shape)).astype(v.dtype)
        return reduce_weighted_values(v, _const_like(v, r), reduction="sum")
    return fn


def _const_like(t, arr):
    """A constant in t's graph with arr's dtype (emit() would store floats as float32)."""
    vid = t._graph.add_constant(np.ascontiguousarray(arr), "r")
    return symbolic.KerasTensor(arr.shape, str(arr.dtype), t._graph, vid, name="r")
