# Tests for TerminateOnNaN on real fits: a NaN loss stops training, or raises with
# raise_error=True; a finite loss never stops it.
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback
from pykerascore.callbacks import TerminateOnNaN

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_a_nan_loss_stops_training():
    y = Y.copy()
    y[3] = np.nan
    ended = []
    h = _model().fit(X, y, epochs=5, verbose=0,
                     callbacks=[TerminateOnNaN(), LambdaCallback(on_train_end=lambda logs: ended.append(True))])
    assert h.epoch == [0]
    assert np.isnan(h.history["loss"][0])
    assert ended == [True]


def test_an_inf_loss_stops_training_with_batch_hooks_too():
    y = Y.copy()
    y[20] = np.inf
    # a batch-level callback makes the trainer report every batch
    probe = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    h = _model().fit(X, y, batch_size=8, epochs=5, verbose=0, callbacks=[probe, TerminateOnNaN()])
    assert h.epoch == [0]


def test_raise_error_raises_and_skips_train_end():
    y = Y.copy()
    y[0] = np.nan
    ended = []
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        _model().fit(X, y, epochs=3, verbose=0, callbacks=[
            TerminateOnNaN(raise_error=True), LambdaCallback(on_train_end=lambda logs: ended.append(True))])
    assert ended == []


def test_a_finite_loss_runs_every_epoch():
    h = _model().fit(X, Y, epochs=3, verbose=0, callbacks=[TerminateOnNaN()])
    assert h.epoch == [0, 1, 2]
