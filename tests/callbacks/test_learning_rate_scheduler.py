# Tests for LearningRateScheduler on real fits of a tiny model: the lr set before each epoch,
# the lr logged, and that training really steps with it.
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import LambdaCallback
from pykerascore.callbacks import LearningRateScheduler

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model(lr=0.1):
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return m


def test_sets_the_lr_before_each_epoch_from_epoch_and_current_lr():
    seen = []
    model = _model(0.1)
    sched = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    probe = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(float(model.optimizer.learning_rate)))
    h = model.fit(X, Y, epochs=3, verbose=0, callbacks=[sched, probe])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)


def test_one_argument_schedules_are_accepted():
    model = _model(0.1)
    h = model.fit(X, Y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    np.testing.assert_allclose(h.history["learning_rate"], [0.01, 0.02], rtol=1e-6)


def test_training_steps_with_the_scheduled_lr():
    a, b = _model(0.1), _model(0.1)
    b.set_weights(a.get_weights())
    # epoch 0 at lr 0.05, epoch 1 at lr 0 (no change), epoch 2 at lr 0.2
    lrs = [0.05, 0.0, 0.2]
    a.fit(X, Y, epochs=3, shuffle=False, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: lrs[e])])
    for lr in lrs:
        b.optimizer.learning_rate = lr
        b.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_a_zero_lr_epoch_leaves_the_weights_unchanged():
    seen = []
    model = _model(0.1)
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    sched = LearningRateScheduler(lambda e, lr: 0.1 if e == 0 else 0.0)
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[sched, record])
    for u, v in zip(seen[0], seen[1]):
        np.testing.assert_array_equal(u, v)


def test_a_non_float_schedule_output_is_rejected():
    with pytest.raises(ValueError, match="should be a float"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: "fast")])
