# Differential tests for EarlyStopping and ReduceLROnPlateau against real Keras 3 (JAX): both
# callbacks are driven by hand with the same monitored sequences and fake models, and must
# stop at the same epoch / produce the same learning-rate history.
import numpy as np
import pytest

from pykerascore import callbacks as pkc


class FakeOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr


class FakeModel:
    def __init__(self, lr=0.1):
        self.stop_training = False
        self.optimizer = FakeOptimizer(lr)
        self.metrics = []
        self._w = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self._w]

    def set_weights(self, weights):
        self._w = [np.array(w) for w in weights]


def _sequences():
    rng = np.random.default_rng(0)
    out = [list(np.round(rng.uniform(0, 1, 12), 2)) for _ in range(6)]
    out.append([1.0, 0.99, 0.985, 0.98, 0.97, 0.975, 0.97, 0.96, 0.96, 0.9])
    out.append([float(v) for v in np.linspace(1, 0.5, 10)])
    out.append([1.0] * 10)
    return [[float(v) for v in s] for s in out]


def _drive_stop(cb, values, mode_key):
    model = FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, value in enumerate(values):
        cb.on_epoch_end(epoch, {mode_key: value})
        if model.stop_training:
            return epoch
    return None


def _drive_lr(cb, values, key):
    model = FakeModel(0.1)
    cb.set_model(model)
    cb.on_train_begin()
    history = []
    for epoch, value in enumerate(values):
        logs = {key: value}
        cb.on_epoch_end(epoch, logs)
        history.append((logs["learning_rate"], float(model.optimizer.learning_rate)))
    return history


ES_CONFIGS = [
    dict(patience=0),
    dict(patience=2),
    dict(patience=1, min_delta=0.05),
    dict(patience=2, baseline=0.3),
    dict(patience=1, start_from_epoch=3),
    dict(patience=2, mode="max"),
    dict(patience=1, mode="max", min_delta=0.1, baseline=0.9),
]


@pytest.mark.parametrize("config", ES_CONFIGS, ids=str)
def test_early_stopping_stops_at_the_same_epoch_as_keras(real_keras, config):
    for values in _sequences():
        ours = pkc.EarlyStopping(monitor="val_loss", **config)
        theirs = real_keras.callbacks.EarlyStopping(monitor="val_loss", **config)
        assert _drive_stop(ours, values, "val_loss") == _drive_stop(theirs, values, "val_loss"), values
        assert ours.stopped_epoch == theirs.stopped_epoch


LR_CONFIGS = [
    dict(patience=1),
    dict(patience=2, factor=0.5),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.2, min_lr=0.005),
    dict(patience=0, factor=0.5, min_delta=0.05),
    dict(patience=1, factor=0.5, mode="max", cooldown=1),
]


@pytest.mark.parametrize("config", LR_CONFIGS, ids=str)
def test_reduce_lr_on_plateau_lr_history_matches_keras(real_keras, config):
    for values in _sequences():
        ours = _drive_lr(pkc.ReduceLROnPlateau(monitor="val_loss", **config), values, "val_loss")
        theirs = _drive_lr(real_keras.callbacks.ReduceLROnPlateau(monitor="val_loss", **config), values, "val_loss")
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, err_msg=str(values))
