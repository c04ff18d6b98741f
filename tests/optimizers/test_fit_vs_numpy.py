"""Every optimizer through a compiled model's fit (shuffle=False, several batches and epochs)
vs the NumPy Keras reference fed with NumPy gradients of the same linear model and MSE loss;
plus the learning rate changed between fits and gradient accumulation inside fit."""

import numpy as np
import pytest
from test_rules_vs_numpy import RULES, KerasReference

import pykerascore as keras


def _data(n=24):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0, 0.5], [-2.0, 0.0], [0.5, 1.0]]) + 0.3).astype("float32")
    return x, y


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    rng = np.random.default_rng(3)
    model.set_weights([rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=2).astype("float32")])
    return model


def _reference_fit(ref, model_weights, x, y, batch_size, epochs):
    w, b = [v.astype("float64") for v in model_weights]
    values = [w, b]
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size].astype("float64"), y[start:start + batch_size].astype("float64")
            d = 2.0 * (xb @ values[0] + values[1] - yb) / yb.size
            ref.apply(values, [xb.T @ d, d.sum(0)])
    return values


@pytest.mark.parametrize("rule,cls,hyper,common", RULES[1::2], ids=[r[0] for r in RULES[1::2]])
def test_fit_matches_reference(rule, cls, hyper, common):
    x, y = _data()
    model = _model()
    start = model.get_weights()
    model.compile(optimizer=cls(learning_rate=0.05, **hyper, **common), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    want = _reference_fit(KerasReference(rule, hyper, lr=0.05, **common), start, x, y, 8, 2)
    for got, w in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)
    assert model.optimizer.iterations == 6


def test_learning_rate_set_between_fits():
    x, y = _data()
    model = _model()
    start = model.get_weights()
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    model.compile(optimizer=opt, loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    opt.learning_rate = 0.01
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    lrs = [0.1] * 3 + [0.01] * 3
    ref = KerasReference("sgd", {"momentum": 0.9, "nesterov": False}, lr=lambda step: lrs[step])
    want = _reference_fit(ref, start, x, y, 8, 2)
    for got, w in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_gradient_accumulation_inside_fit():
    x, y = _data()
    model = _model()
    start = model.get_weights()
    kw = {"gradient_accumulation_steps": 3, "use_ema": True, "ema_momentum": 0.9}
    hyper = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05, **kw), loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)  # 12 micro-steps, 4 updates
    ref = KerasReference("adam", hyper, lr=0.05, **kw)
    _reference_fit(ref, start, x, y, 4, 2)
    want = ref.slots["ema"]  # fit ends with finalize_variable_values: the EMA weights, as Keras
    for got, w in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)
    assert model.optimizer.iterations == 4
