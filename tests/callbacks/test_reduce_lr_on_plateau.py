# Tests for ReduceLROnPlateau on real fits of a tiny model: a scripted callback placed first
# writes the monitored value into the shared epoch logs; the lr is read back from the optimizer.
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback
from pykerascore.callbacks import ReduceLROnPlateau

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model(lr=0.1):
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return m


def _fit(values, cb, model=None):
    model = model or _model()
    script = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__("val_loss", values[epoch]))
    h = model.fit(X, Y, epochs=len(values), shuffle=False, verbose=0, callbacks=[script, cb])
    return model, h


def test_lowers_lr_after_patience_epochs_and_logs_the_lr_used():
    cb = ReduceLROnPlateau(factor=0.5, patience=2)
    model, h = _fit([1.0] * 5, cb)
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.1, 0.1, 0.05, 0.05], rtol=1e-6)
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.025, rtol=1e-6)


def test_improvements_reset_the_wait():
    cb = ReduceLROnPlateau(factor=0.5, patience=2)
    model, _ = _fit([1.0, 1.0, 0.5, 0.5, 0.2], cb)
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.1, rtol=1e-6)


def test_cooldown_pauses_the_wait_after_a_reduction():
    cb = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    _, h = _fit([1.0] * 7, cb)
    # reductions at the end of epochs 1, 3 and 5
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125],
                               rtol=1e-6)


def test_min_lr_bounds_the_reduction():
    cb = ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.03)
    model, h = _fit([1.0] * 5, cb)
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.1, 0.05, 0.03, 0.03], rtol=1e-6)
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.03, rtol=1e-6)


def test_min_delta_counts_small_improvements_as_none():
    cb = ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.01)
    model, _ = _fit([1.0, 0.995], cb)
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.05, rtol=1e-6)


def test_the_reduced_lr_is_the_one_training_uses():
    a, b = _model(0.1), _model(0.1)
    b.set_weights(a.get_weights())
    # a: lr 0.1 for 2 epochs, then 0.01 (reduced at the end of epoch 1); b: the same by hand
    _fit([1.0, 1.0, 1.0], ReduceLROnPlateau(factor=0.1, patience=1), model=a)
    b.fit(X, Y, epochs=2, shuffle=False, verbose=0)
    b.optimizer.learning_rate = 0.01
    b.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_factor_of_one_or_more_is_rejected():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


def test_missing_monitor_warns_and_keeps_the_lr():
    cb = ReduceLROnPlateau(monitor="nope", mode="min", patience=0)
    with pytest.warns(UserWarning, match="nope"):
        model, _ = _fit([1.0, 1.0], cb)
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.1, rtol=1e-6)
