"""The metric ops directly: float64 kernels vs NumPy (tight tolerance) and shape rules that
raise naming the node before any kernel runs."""

import numpy as np
import pytest

from pykerascore.backend import symbolic
from . import refs


def _run64(op, t, p, attrs=None):
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        a = symbolic.placeholder(g, t.shape, "float64", "t")
        b = symbolic.placeholder(g, p.shape, "float64", "p")
        out = symbolic.emit(op, [a, b], attrs, name="probe")
    assert out.dtype == "float64"
    return g.evaluate({a._vid: t, b._vid: p}, [out._vid])[0]


OPS = [
    ("metric_mean_squared_error", refs.mse, None),
    ("metric_mean_absolute_error", refs.mae, None),
    ("metric_mean_absolute_percentage_error", refs.mape, None),
    ("metric_cosine_similarity", refs.cosine, None),
    ("metric_log_cosh", refs.log_cosh, None),
    ("metric_binary_crossentropy", lambda t, p: refs.bce(t, p, True, 0.1), {"from_logits": True, "label_smoothing": 0.1}),
    ("metric_categorical_crossentropy", lambda t, p: refs.cce(t, p, True, 0.2), {"from_logits": True, "label_smoothing": 0.2}),
    ("metric_hinge", refs.hinge, None),
    ("metric_squared_hinge", refs.squared_hinge, None),
    ("metric_categorical_hinge", refs.categorical_hinge, None),
]


@pytest.mark.parametrize("op,ref,attrs", OPS, ids=[o[0] for o in OPS])
def test_float64_kernels_match_numpy(op, ref, attrs):
    r = np.random.default_rng(0)
    t, p = r.normal(size=(6, 5)), r.normal(size=(6, 5))
    np.testing.assert_allclose(_run64(op, t, p, attrs), ref(t, p), rtol=1e-12, atol=1e-12)


def test_positive_only_kernels_float64():
    r = np.random.default_rng(1)
    t, p = r.uniform(0.1, 1, size=(4, 3)), r.uniform(0.1, 1, size=(4, 3))
    np.testing.assert_allclose(_run64("metric_mean_squared_logarithmic_error", t, p), refs.msle(t, p), rtol=1e-12)
    np.testing.assert_allclose(_run64("metric_kl_divergence", t, p), refs.kld(t, p), rtol=1e-12)
    np.testing.assert_allclose(_run64("metric_poisson", t, p), refs.poisson(t, p), rtol=1e-12)


def test_row_op_shape_mismatch_names_node():
    g = symbolic.new_graph()
    with symbolic.tracing(g):
        a = symbolic.placeholder(g, (None, 3), "float32", "t")
        b = symbolic.placeholder(g, (None, 4), "float32", "p")
        with pytest.raises(ValueError, match="probe.*y_true shape"):
            symbolic.emit("metric_mean_squared_error", [a, b], name="probe")


def test_confusion_state_shape_checked():
    from pykerascore.backend.variables import Variable

    state = Variable(np.zeros((4, 2), "float32"), trainable=False, name="s")
    with pytest.raises(ValueError, match="probe.*state must have shape"):
        symbolic.emit("metric_confusion_update", [state, np.ones(3, "float32"), np.ones(3, "float32")],
                      {"thresholds": [0.5]}, name="probe")


def test_confusion_top_k_larger_than_classes_rejected():
    from pykerascore.backend.variables import Variable

    state = Variable(np.zeros((4, 1), "float32"), trainable=False, name="s")
    with pytest.raises(ValueError, match="top_k"):
        symbolic.emit("metric_confusion_update", [state, np.ones((2, 3), "float32"), np.ones((2, 3), "float32")],
                      {"thresholds": [-1e10], "top_k": 4}, name="probe")


def test_assign_add_rejects_unbroadcastable_value():
    from pykerascore.backend.variables import Variable

    v = Variable(np.zeros(3, "float32"), trainable=False, name="v")
    with pytest.raises(ValueError, match="probe"):
        symbolic.emit("metric_assign_add", [v, np.ones(4, "float32")], name="probe")
