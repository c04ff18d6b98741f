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


@pytest.mark.parametrize("name, make", _params("layers"))
def test_layer(name, make):
    layer = make()
    shapes = {"Embedding": (4, 3), "Reshape": (4, 6), "Add": None, "Concatenate": None}
    clone = _round_trip(layer)
    if name in ("Add", "Concatenate"):
        x = [RNG.normal(size=(4, 3)).astype("float32") for _ in range(2)]
    elif name == "Embedding":
        x = RNG.integers(0, 10, size=shapes[name]).astype("int32")
    else:
        x = RNG.normal(size=shapes.get(name) or (4, 6)).astype("float32")
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
    else:
        y_true = RNG.uniform(size=(5, 3)).astype("float32")
    y_pred = RNG.uniform(0.05, 0.95, size=(5, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(clone(y_true, y_pred)), np.asarray(loss(y_true, y_pred)), rtol=1e-6)


@pytest.mark.parametrize("name, make", _params("metrics"))
def test_metric(name, make):
    metric = make()
    clone = _round_trip(metric)
    y_true = (RNG.uniform(size=(8, 3)) > 0.5).astype("float32")
    y_pred = RNG.uniform(size=(8, 3)).astype("float32")
    for m in (metric, clone):
        if name == "Mean":
            m.update_state(y_pred)
        else:
            m.update_state(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(clone.result()), np.asarray(metric.result()), rtol=1e-6)


@pytest.mark.parametrize("name, make", _params("optimizers"))
def test_optimizer(name, make):
    opt = make()
    clone = _round_trip(opt)
    assert type(clone) is type(opt)
    assert float(clone.learning_rate) == pytest.approx(float(opt.learning_rate))


@pytest.mark.parametrize("name, make", _params("schedules"))
def test_schedule(name, make):
    schedule = make()
    clone = _round_trip(schedule)
    for step in (0, 5, 15, 40):
        assert float(clone(step)) == pytest.approx(float(schedule(step)), rel=1e-6)


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
