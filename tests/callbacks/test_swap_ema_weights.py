# Tests for SwapEMAWeights on real fits with `use_ema=True`: validation sees the EMA weights,
# training continues from the model's own weights, swap_on_epoch, predict, and the error
# without EMA.
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback
from pykerascore.callbacks import SwapEMAWeights

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3).astype("float32")
XV, YV = X[:16] * 0.5, Y[:16] * 0.5


def _pair(use_ema=True):
    a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    a.compile(optimizer=keras.optimizers.SGD(0.05, use_ema=use_ema, ema_momentum=0.9), loss="mse")
    b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    b.compile(optimizer=keras.optimizers.SGD(0.05, use_ema=use_ema, ema_momentum=0.9), loss="mse")
    b.set_weights(a.get_weights())
    return a, b


def _fit(model, callbacks, epochs=3):
    return model.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, validation_data=(XV, YV), verbose=0,
                     callbacks=callbacks)


def test_validation_uses_the_ema_weights():
    a, b = _pair()
    ha = _fit(a, [SwapEMAWeights()])
    hb = _fit(b, [])
    # a ends holding the final averages (fit assigns them), so evaluating it reproduces the
    # last epoch's validation loss only if validation ran on the averages too
    ema_val = a.evaluate(XV, YV, verbose=0)
    np.testing.assert_allclose(ha.history["val_loss"][-1], ema_val, rtol=1e-5)
    assert not np.isclose(hb.history["val_loss"][-1], ema_val, rtol=1e-3)


def test_training_continues_from_the_models_own_weights():
    a, b = _pair()
    seen_a, seen_b = [], []
    _fit(a, [SwapEMAWeights(), LambdaCallback(on_epoch_end=lambda e, logs: seen_a.append(a.get_weights()))])
    _fit(b, [LambdaCallback(on_epoch_end=lambda e, logs: seen_b.append(b.get_weights()))])
    for wa, wb in zip(seen_a, seen_b):
        for u, v in zip(wa, wb):
            np.testing.assert_allclose(u, v, rtol=1e-6)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_swap_on_epoch_shows_the_ema_weights_at_epoch_end_only():
    a, b = _pair()
    seen_a, seen_b = [], []
    _fit(a, [SwapEMAWeights(swap_on_epoch=True),
             LambdaCallback(on_epoch_end=lambda e, logs: seen_a.append(a.get_weights()))])
    _fit(b, [LambdaCallback(on_epoch_end=lambda e, logs: seen_b.append(b.get_weights()))])
    assert not np.allclose(seen_a[0][0], seen_b[0][0])
    # the last epoch end already shows the averages fit() leaves in the model
    for u, v in zip(seen_a[-1], a.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)
    # training itself was not disturbed: both end on the same averages
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_predict_restores_the_models_weights():
    a, _ = _pair()
    _fit(a, [], epochs=1)
    a.set_weights([w + 1.0 for w in a.get_weights()])
    before = a.get_weights()
    a.predict(X, verbose=0, callbacks=[SwapEMAWeights()])
    for u, v in zip(before, a.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_without_use_ema_raises():
    a, _ = _pair(use_ema=False)
    with pytest.raises(ValueError, match="use_ema=True"):
        _fit(a, [SwapEMAWeights()], epochs=1)
