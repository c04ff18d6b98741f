# Tests for LambdaCallback: each given function runs at its hook during a real fit, extra
# keyword hooks work, and hooks not given stay the base's no-ops.
import numpy as np

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_named_hooks_run_in_fit_order():
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: events.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append("train_end"),
    )
    _model().fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    assert events == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0),
                      ("batch_begin", 1), ("batch_end", 1), ("epoch_end", 0, ["loss"]), "train_end"]


def test_other_hooks_can_be_given_as_keywords():
    events = []
    cb = LambdaCallback(on_test_begin=lambda logs: events.append("test_begin"),
                        on_test_end=lambda logs: events.append(("test_end", sorted(logs))))
    _model().fit(X, Y, epochs=1, validation_split=0.25, verbose=0, callbacks=[cb])
    assert events == ["test_begin", ("test_end", ["loss"])]


def test_hooks_not_given_stay_default():
    cb = LambdaCallback(on_epoch_end=lambda epoch, logs: None)
    assert getattr(cb.on_train_batch_end, "_is_default", False)
    assert not getattr(cb.on_epoch_end, "_is_default", False)
