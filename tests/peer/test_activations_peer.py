"""Every activation vs real Keras 3 (JAX backend) on the same random inputs: forward values
(1e-6 relative) and input gradients (vector-Jacobian products through our autodiff)."""
import numpy as np
import pytest

from pykerascore import activations
from pykerascore.backend import symbolic

NAMES = ["relu", "leaky_relu", "relu6", "softmax", "log_softmax", "elu", "selu", "softplus", "softsign",
         "silu", "swish", "gelu", "tanh", "sigmoid", "exponential", "hard_sigmoid", "linear"]

# (name, kwargs) beyond the defaults
PARAMETERISED = [
    ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 6.0}), ("relu", {"max_value": 2.5}),
    ("relu", {"threshold": 0.5}), ("relu", {"threshold": -1.0}),
    ("relu", {"negative_slope": 0.2, "max_value": 3.0, "threshold": 0.5}),
    ("leaky_relu", {"negative_slope": 0.05}), ("elu", {"alpha": 0.5}), ("gelu", {"approximate": True}),
    ("gelu", {"approximate": False}), ("softmax", {"axis": 0}), ("softmax", {"axis": (0, 2)}),
    ("log_softmax", {"axis": 1}), ("log_softmax", {"axis": (1, 2)}),
]
CASES = [(n, {}) for n in NAMES] + PARAMETERISED


def inputs(shape=(4, 3, 5), seed=0, scale=4.0):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    x = np.where(np.abs(x) < 0.02, x + 0.05, x)  # relu-family kinks: no tie-breaking differences
    for k in (0.5, -1.0, 2.5, 3.0, 6.0, -3.0, 3.0):
        x = np.where(np.abs(x - k) < 0.02, x + 0.05, x)
    return x.astype(np.float32)


def case_id(case):
    name, kw = case
    return name + ("" if not kw else "-" + "-".join(f"{k}={v}" for k, v in kw.items()))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_forward_matches_keras(real_keras, case):
    name, kw = case
    x = inputs()
    ours = getattr(activations, name)(x, **kw)
    theirs = np.asarray(getattr(real_keras.activations, name)(x, **kw))
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=tail_atol(name, kw))


def tail_atol(name, kw):
    # XLA's float32 tanh cancels in 1 + tanh(u) for x << 0 (it returns 0 where the value is
    # ~-3e-7); ours uses the equivalent sigmoid(2u) and matches float64 to 1e-6 (core tests).
    return 5e-7 if name == "gelu" and kw.get("approximate") else 1e-7


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_large_inputs_match_keras(real_keras, case):
    name, kw = case
    x = inputs(seed=1, scale=60.0)
    if name == "exponential":
        x = np.clip(x, -80, 80)  # both overflow to inf beyond ~88
    ours = getattr(activations, name)(x, **kw)
    theirs = np.asarray(getattr(real_keras.activations, name)(x, **kw))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=tail_atol(name, kw))


def our_vjp(fn, x, dy):
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        t = symbolic.placeholder(g, x.shape, "float32", "x")
        y = fn(t)
        if y is t:  # linear
            return dy
        w = g.add_constant(dy)
        m = g.add_node("multiply", [y._vid, w], {}, "m")[0]
        loss = g.add_node("reduce_loss", [m], {"reduction": "sum"}, "s")[0]
    return g.evaluate({t._vid: x}, g.gradients(loss, [t._vid]))[0]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradients_match_jax(real_keras, case):
    import jax

    name, kw = case
    x = inputs(seed=2, scale=3.0)
    dy = np.random.default_rng(3).standard_normal(x.shape).astype(np.float32)
    _, vjp = jax.vjp(lambda v: getattr(real_keras.activations, name)(v, **kw), x)
    theirs = np.asarray(vjp(dy)[0])
    ours = our_vjp(lambda t: getattr(activations, name)(t, **kw), x, dy)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
