"""Mean, Sum and MeanMetricWrapper vs NumPy: Keras's reduce_to_samplewise_values weighting over
several update_state calls, reset_state and merge_state."""

import numpy as np
import pytest

import pykerascore as keras
from .refs import weighted_mean


def _rng():
    return np.random.default_rng(7)


def test_mean_unweighted_over_batches():
    r = _rng()
    vs = [r.normal(size=(5,)).astype("float32"), r.normal(size=(3,)).astype("float32")]
    m = keras.metrics.Mean()
    for v in vs:
        m.update_state(v)
    assert m.result() == pytest.approx(np.concatenate(vs).mean(), rel=1e-6)


def test_mean_weighted_rank2_values_rank1_weights():
    r = _rng()
    v, w = r.normal(size=(6, 4)).astype("float32"), r.uniform(size=6).astype("float32")
    m = keras.metrics.Mean()
    m.update_state(v, sample_weight=w)
    assert m.result() == pytest.approx(weighted_mean([v], [w]), rel=1e-6)


def test_mean_weights_same_rank_as_values():
    r = _rng()
    v, w = r.normal(size=(4, 3)).astype("float32"), r.uniform(size=(4, 3)).astype("float32")
    m = keras.metrics.Mean()
    m.update_state(v, sample_weight=w)
    # Keras: total += sum(mean_axis1(v * w)), count += sum(mean_axis1(w))
    expect = np.sum(np.mean(v * w, axis=1)) / np.sum(np.mean(w, axis=1))
    assert m.result() == pytest.approx(expect, rel=1e-6)


def test_mean_scalar_value_counts_once():
    m = keras.metrics.Mean()
    m.update_state(2.0)
    m.update_state(np.array([4.0, 6.0], "float32"))
    assert m.result() == pytest.approx(4.0)


def test_mean_reset_and_empty_result_is_zero():
    m = keras.metrics.Mean(name="loss")
    assert m.name == "loss"
    m.update_state(np.ones(3, "float32"))
    m.reset_state()
    assert m.result() == 0.0


def test_sum_weighted_and_unweighted():
    r = _rng()
    v, w = r.normal(size=(5, 2)).astype("float32"), r.uniform(size=5).astype("float32")
    m = keras.metrics.Sum()
    m.update_state(v)
    m.update_state(v, sample_weight=w)
    expect = v.astype(np.float64).sum() + np.sum(v.sum(axis=1) * w)
    assert m.result() == pytest.approx(expect, rel=1e-6)


def test_merge_state_adds_totals():
    a, b = keras.metrics.Mean(), keras.metrics.Mean()
    a.update_state(np.array([1.0, 2.0], "float32"))
    b.update_state(np.array([3.0, 4.0, 5.0], "float32"), sample_weight=np.array([1.0, 0.0, 2.0], "float32"))
    a.merge_state([b])
    assert a.result() == pytest.approx((1 + 2 + 3 + 10) / 5)


def test_merge_state_rejects_other_types():
    with pytest.raises(ValueError, match="not compatible"):
        keras.metrics.Mean().merge_state([keras.metrics.Sum()])


def test_mean_metric_wrapper_with_builtin_function():
    r = _rng()
    t, p = r.normal(size=(8, 3)).astype("float32"), r.normal(size=(8, 3)).astype("float32")
    m = keras.metrics.MeanMetricWrapper(keras.metrics.mean_absolute_error, name="mae_wrapped")
    m.update_state(t, p)
    assert m.name == "mae_wrapped"
    assert m.result() == pytest.approx(np.mean(np.abs(t - p)), rel=1e-6)


def test_mean_float64_state_in_a_traced_graph():
    from pykerascore.backend import symbolic

    m = keras.metrics.Mean(dtype="float64")
    graph = symbolic.new_graph()
    with symbolic.tracing(graph):
        x = symbolic.placeholder(graph, (None,), "float64", "x")
        m.update_state(x)
    graph.evaluate({x._vid: np.array([1.0, 2.0, 1e-9])}, [])
    assert m.variables[0].dtype == "float64"
    assert m.result() == (3.0 + 1e-9) / 3
