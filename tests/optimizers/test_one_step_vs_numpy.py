"""One SGD step and one Adam step of a 2-layer Dense model equal a NumPy reference (1e-5)."""

import numpy as np
import pytest

import pykerascore as keras


def _model():
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    r = np.random.default_rng(0)
    m.set_weights([r.normal(size=(4, 8)) * 0.5, r.normal(size=8) * 0.1, r.normal(size=(8, 1)) * 0.5, r.normal(size=1) * 0.1])
    return m


def _data(n=16):
    r = np.random.default_rng(1)
    x = r.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [1.5]], "float32")).astype("float32")


def _numpy_grads(weights, x, y):
    w1, b1, w2, b2 = [w.astype("float64") for w in weights]
    x, y = x.astype("float64"), y.astype("float64")
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    p = h @ w2 + b2
    dp = 2.0 * (p - y) / x.shape[0]
    dh = (dp @ w2.T) * (z > 0)
    return [x.T @ dh, dh.sum(0), h.T @ dp, dp.sum(0)]


def test_sgd_step_matches_numpy():
    m = _model()
    x, y = _data()
    before = m.get_weights()
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    m.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    expect = [w - 0.1 * g for w, g in zip(before, _numpy_grads(before, x, y))]
    for got, want in zip(m.get_weights(), expect):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_sgd_momentum_two_steps_match_numpy():
    m = _model()
    x, y = _data()
    w = [v.astype("float64") for v in m.get_weights()]
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse")
    m.fit(x, y, batch_size=len(x), epochs=2, shuffle=False, verbose=0)
    vel = [np.zeros_like(v) for v in w]
    for _ in range(2):
        g = _numpy_grads(w, x, y)
        vel = [0.9 * v - 0.05 * gi for v, gi in zip(vel, g)]
        w = [wi + v for wi, v in zip(w, vel)]
    for got, want in zip(m.get_weights(), w):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("steps", [1, 3])
def test_adam_steps_match_numpy(steps):
    m = _model()
    x, y = _data()
    w = [v.astype("float64") for v in m.get_weights()]
    m.compile(optimizer="adam", loss="mse")  # Keras defaults: lr 1e-3, b1 .9, b2 .999, eps 1e-7
    m.fit(x, y, batch_size=len(x), epochs=steps, shuffle=False, verbose=0)
    mom = [np.zeros_like(v) for v in w]
    vel = [np.zeros_like(v) for v in w]
    for t in range(1, steps + 1):
        g = _numpy_grads(w, x, y)
        alpha = 1e-3 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        mom = [mi + (gi - mi) * 0.1 for mi, gi in zip(mom, g)]
        vel = [vi + (gi * gi - vi) * 0.001 for vi, gi in zip(vel, g)]
        w = [wi - alpha * mi / (np.sqrt(vi) + 1e-7) for wi, mi, vi in zip(w, mom, vel)]
    for got, want in zip(m.get_weights(), w):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_optimizer_defaults_are_keras_defaults():
    assert keras.optimizers.SGD().learning_rate == pytest.approx(0.01)
    adam = keras.optimizers.Adam()
    assert adam.learning_rate == pytest.approx(1e-3)
    assert adam.get_config()["beta_1"] == 0.9 and adam.get_config()["beta_2"] == 0.999
    assert adam.get_config()["epsilon"] == 1e-7


def test_iterations_count_steps():
    m = _model()
    x, y = _data(40)
    m.compile(optimizer="sgd", loss="mse")
    m.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert m.optimizer.iterations == 6  # 3 batches (16, 16, 8) x 2 epochs
