# Tests for EarlyStopping on real fits of a tiny model: a scripted callback placed first writes
# the monitored value into the shared epoch logs, so each test fixes the sequence it checks.
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import EarlyStopping
from pykerascore.callbacks import LambdaCallback

X = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
Y = 3 * X + 1


def _model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return m


def _script(values, key="val_loss"):
    """Sets logs[key] to values[epoch] at each epoch end (before the callbacks after it)."""
    def on_epoch_end(epoch, logs):
        logs[key] = values[epoch]
    return LambdaCallback(on_epoch_end=on_epoch_end)


def _fit(values, es, model=None, extra=()):
    model = model or _model()
    h = model.fit(X, Y, epochs=len(values), verbose=0, callbacks=[_script(values), *extra, es])
    return model, h


def test_stops_after_patience_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    _, h = _fit([1.0, 0.9, 0.95, 0.96, 0.97, 0.98], es)
    assert h.epoch == [0, 1, 2, 3]
    assert es.stopped_epoch == 3


def test_patience_zero_stops_at_first_non_improvement_but_never_at_epoch_zero():
    es = EarlyStopping(patience=0)
    _, h = _fit([1.0, 0.8, 0.9, 0.7], es)
    assert h.epoch == [0, 1, 2]


def test_min_delta_counts_small_improvements_as_none():
    es = EarlyStopping(patience=1, min_delta=0.01)
    _, h = _fit([1.0, 0.995, 0.99, 0.985], es)
    assert h.epoch == [0, 1]
    es = EarlyStopping(patience=1, min_delta=0.001)
    _, h = _fit([1.0, 0.995, 0.99, 0.985], es)
    assert h.epoch == [0, 1, 2, 3]


def test_mode_max_treats_increases_as_improvements():
    es = EarlyStopping(patience=1, mode="max")
    _, h = _fit([0.1, 0.2, 0.3, 0.25, 0.4], es)
    assert h.epoch == [0, 1, 2, 3]


def test_baseline_not_reached_keeps_the_wait_counting():
    values = [1.0, 0.9, 0.95, 0.95, 0.95]
    es = EarlyStopping(patience=2, baseline=0.5)
    _, h = _fit(values, es)
    assert h.epoch == [0, 1, 2]
    es = EarlyStopping(patience=2)
    _, h = _fit(values, es)
    assert h.epoch == [0, 1, 2, 3]


def test_start_from_epoch_ignores_earlier_epochs():
    values = [0.1, 0.2, 1.0, 1.1, 1.2, 1.3]
    es = EarlyStopping(patience=1, start_from_epoch=2)
    _, h = _fit(values, es)
    assert h.epoch == [0, 1, 2, 3]
    es = EarlyStopping(patience=1)
    _, h = _fit(values, es)
    assert h.epoch == [0, 1]


def test_restore_best_weights_puts_back_the_best_epochs_weights():
    seen = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    model = _model()
    es = EarlyStopping(patience=2, restore_best_weights=True)
    _fit([1.0, 0.5, 0.7, 0.8, 0.9], es, model=model, extra=[record])
    assert len(seen) == 4 and es.best_epoch == 1
    assert not np.allclose(seen[1][0], seen[3][0])
    for got, want in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(got, want)


def test_without_restore_best_weights_the_last_weights_stay():
    seen = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    model = _model()
    _fit([1.0, 0.5, 0.7, 0.8, 0.9], EarlyStopping(patience=2), model=model, extra=[record])
    for got, want in zip(model.get_weights(), seen[-1]):
        np.testing.assert_array_equal(got, want)


def test_monitors_real_val_loss_by_default():
    model = _model()
    es = EarlyStopping(patience=1)
    h = model.fit(X, Y, epochs=50, validation_split=0.25, verbose=0, callbacks=[es])
    val = h.history["val_loss"]
    # it stopped exactly at the first epoch whose val_loss failed to beat the best so far
    stop = next((e for e in range(1, len(val)) if val[e] >= min(val[:e])), None)
    assert len(val) == (stop + 1 if stop is not None else 50)


def test_missing_monitor_warns_and_does_not_stop():
    es = EarlyStopping(monitor="nope", mode="min", patience=0)
    with pytest.warns(UserWarning, match="nope"):
        _, h = _fit([1.0, 2.0, 3.0], es)
    assert h.epoch == [0, 1, 2]


def test_auto_mode_takes_the_direction_of_the_metric_of_that_name():
    class Metric:
        name = "auc"
        _direction = "up"

    class Model:
        metrics = [Metric()]
        stop_training = False

    es = EarlyStopping(monitor="val_auc", patience=0)
    es.set_model(Model())
    es.on_train_begin()
    for epoch, value in enumerate([0.5, 0.6, 0.55]):
        es.on_epoch_end(epoch, {"val_auc": value})
    assert es.stopped_epoch == 2


def test_auto_mode_with_an_unknown_metric_raises():
    es = EarlyStopping(monitor="val_thing")
    es.set_model(type("M", (), {"metrics": []})())
    es.on_train_begin()
    with pytest.raises(ValueError, match="mode='max'"):
        es.on_epoch_end(0, {"val_thing": 1.0})


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="unknown"):
        es = EarlyStopping(mode="sideways")
    assert es.mode == "auto"


def test_auto_mode_infers_the_direction_of_a_model_metric():
    import numpy as np
    import pykerascore as keras

    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "mae"])
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    up = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="auto", patience=5)
    down = keras.callbacks.EarlyStopping(monitor="val_mae", mode="auto", patience=5)
    m.fit(x, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[up, down])
    assert up.monitor_op(2.0, 1.0) and down.monitor_op(1.0, 2.0)
