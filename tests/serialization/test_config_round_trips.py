"""from_config(get_config()) for every built-in layer, loss, metric, optimizer, learning-rate
schedule, initializer, regularizer and constraint built with non-default arguments: the rebuilt
object has an equal config and behaves the same on the same input."""

import json
import os
import sys

import numpy as np
import pytest

import pykerascore as keras

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import config_cases as cases  # noqa: E402

RNG = np.random.default_rng(17)


def _params(family):
    return [pytest.param(name, make, id=name) for name, make in cases.FAMILIES[family](keras).items()]


def _round_trip(obj):
    config = obj.get_config()
    json.dumps(config)  # what a model file holds must be JSON
    clone = type(obj).from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    return clone


MERGING = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")


def _layer_input(name):
    if name in MERGING:
        return [RNG.normal(size=(4, 3)).astype("float32") for _ in range(2)]
    if name == "Embedding":
        return RNG.integers(0, 10, size=(4, 3)).astype("int32")
    if name == "Flatten":
        return RNG.normal(size=(4, 2, 3)).astype("float32")  # rank 3, so channels_first matters
    return RNG.normal(size=(4, 6)).astype("float32")


@pytest.mark.parametrize("name, make", _params("layers"))
def test_layer(name, make):
    layer = make()
    clone = _round_trip(layer)
    if name == "InputLayer":  # not callable; its config is its whole behaviour
        assert clone.batch_shape == layer.batch_shape == (4, 6)
        return
    x = _layer_input(name)
    out = layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(out), atol=1e-6)


@pytest.mark.parametrize("name, make", _params("losses"))
def test_loss(name, make):
    loss = make()
    clone = _round_trip(loss)
    if "Sparse" in name:
        y_true = RNG.integers(0, 3, size=(5,)).astype("int32")
    elif "Hinge" in name:
        y_true = np.sign(RNG.uniform(-1, 1, size=(5, 3))).astype("float32")
    else:
        y_true = RNG.uniform(size=(5, 3)).astype("float32")
    y_pred = RNG.uniform(0.05, 0.95, size=(5, 3)).astype("float32")
    expected = np.asarray(loss(y_true, y_pred))
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(np.asarray(clone(y_true, y_pred)), expected, rtol=1e-6)


@pytest.mark.parametrize("name, make", _params("metrics"))
def test_metric(name, make):
    metric = make()
    clone = _round_trip(metric)
    y_true = (RNG.uniform(size=(8, 3)) > 0.5).astype("float32")
    if "Sparse" in name:
        y_true = RNG.integers(0, 3, size=(8,)).astype("int32")
    y_pred = RNG.uniform(size=(8, 3)).astype("float32")
    for m in (metric, clone):
        if name in ("Mean", "Sum"):
            m.update_state(y_pred)
        else:
            m.update_state(y_true, y_pred)
    expected = np.asarray(metric.result())
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(np.asarray(clone.result()), expected, rtol=1e-6)


@pytest.mark.parametrize("name, make", _params("optimizers"))
def test_optimizer(name, make):
    opt = make()
    clone = _round_trip(opt)
    assert type(clone) is type(opt)
    assert float(clone.learning_rate) == pytest.approx(float(opt.learning_rate))
    if name == "LossScaleOptimizer":  # the wrapped optimizer comes back whole, not as a dict
        assert type(clone.inner_optimizer) is type(opt.inner_optimizer)
        assert clone.inner_optimizer.get_config() == opt.inner_optimizer.get_config()


@pytest.mark.parametrize("name, make", _params("schedules"))
def test_schedule(name, make):
    schedule = make()
    clone = _round_trip(schedule)
    values = [float(schedule(step)) for step in (0, 5, 15, 40)]
    assert len(set(values)) > 1  # the steps reach the decay
    assert [float(clone(step)) for step in (0, 5, 15, 40)] == pytest.approx(values, rel=1e-6)


@pytest.mark.parametrize("name, make", _params("initializers"))
def test_initializer(name, make):
    init = make()
    clone = _round_trip(init)
    np.testing.assert_array_equal(np.asarray(clone((4, 4))), np.asarray(init((4, 4))))


@pytest.mark.parametrize("name, make", _params("regularizers"))
def test_regularizer(name, make):
    reg = make()
    clone = _round_trip(reg)
    w = RNG.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(clone(w)), np.asarray(reg(w)), rtol=1e-6)


@pytest.mark.parametrize("name, make", _params("constraints"))
def test_constraint(name, make):
    constraint = make()
    clone = _round_trip(constraint)
    w = RNG.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(clone(w)), np.asarray(constraint(w)), rtol=1e-6)


def _double_abs_error(y_true, y_pred):
    return keras.ops.abs(y_true - y_pred) * 2.0


@pytest.mark.parametrize("wrapper", ["LossFunctionWrapper", "MeanMetricWrapper"])
def test_wrapper_of_a_custom_function_finds_it_in_custom_objects(wrapper):
    cls = keras.losses.LossFunctionWrapper if wrapper == "LossFunctionWrapper" else keras.metrics.MeanMetricWrapper
    config = json.loads(json.dumps(cls(_double_abs_error, name="custom_x").get_config()))
    assert config["fn"]["config"] == "_double_abs_error"
    with keras.saving.custom_object_scope({"_double_abs_error": _double_abs_error}):
        clone = cls.from_config(config)
    assert (clone.fn if wrapper == "LossFunctionWrapper" else clone._fn) is _double_abs_error
