"""When callback changes reach the native loop: a learning rate set or `stop_training` raised in
a batch hook takes effect at the next native execution, and with steps_per_execution=N the
batch hooks run once per N batches."""

import numpy as np

import pykerascore as keras

X = np.linspace(-1, 1, 64, dtype="float32").reshape(-1, 1)
Y = 2 * X - 1


def _model(spe):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", steps_per_execution=spe)
    return m


class _Recorder(keras.callbacks.Callback):
    def __init__(self, action=None):
        super().__init__()
        self.batches, self.weights, self.action = [], [], action

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)
        self.weights.append(self.model.get_weights()[0].copy())
        if self.action:
            self.action(self.model, batch)


def test_batch_hooks_run_once_per_execution():
    rec = _Recorder()
    _model(4).fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
    assert rec.batches == [3, 7]


def test_learning_rate_set_in_a_batch_hook_applies_from_the_next_execution():
    def freeze(model, batch):
        model.optimizer.learning_rate = 0.0

    rec = _Recorder(freeze)
    model = _model(2)
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
    # The first execution (batches 0-1) trained; every later one ran with learning rate 0.
    assert not np.array_equal(rec.weights[0], _model(2).get_weights()[0])
    for w in rec.weights[1:]:
        np.testing.assert_array_equal(w, rec.weights[0])


def test_stop_training_in_a_batch_hook_ends_the_epoch_after_that_execution():
    def stop(model, batch):
        model.stop_training = True

    rec = _Recorder(stop)
    history = _model(2).fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[rec])
    assert rec.batches == [1]
    assert len(history.history["loss"]) == 1
