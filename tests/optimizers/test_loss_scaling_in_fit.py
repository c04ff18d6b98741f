"""Loss scaling inside fit: backward starts from the optimizer's loss scale, the optimizer
unscales, so weights equal the unscaled run (a power-of-two scale is exact) and logs stay unscaled."""

import numpy as np
import pytest

import pykerascore as keras


def _fit(optimizer):
    keras.utils.set_random_seed(11)
    r = np.random.default_rng(0)
    x = r.normal(size=(96, 5)).astype("float32")
    y = (x @ r.normal(size=(5, 1))).astype("float32")
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    m.compile(optimizer=optimizer, loss="mse")
    h = m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return m.get_weights(), h.history["loss"]


def test_loss_scale_optimizer_matches_plain_optimizer():
    w_plain, loss_plain = _fit(keras.optimizers.SGD(learning_rate=0.05))
    w_scaled, loss_scaled = _fit(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.05)))
    for a, b in zip(w_plain, w_scaled):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(loss_plain, loss_scaled, rtol=1e-6)


def test_static_loss_scale_factor_matches_plain_optimizer():
    w_plain, _ = _fit(keras.optimizers.Adam(learning_rate=0.01))
    w_scaled, _ = _fit(keras.optimizers.Adam(learning_rate=0.01, loss_scale_factor=1024.0))
    for a, b in zip(w_plain, w_scaled):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
