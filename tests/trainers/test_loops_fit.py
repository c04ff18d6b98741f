"""fit / evaluate / predict arguments on array data: steps, epochs, validation, return forms."""

import warnings

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.callbacks import Callback

R = np.random.default_rng(0)
X = R.normal(size=(64, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def _model(metrics=None, seed=3):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="mse", metrics=metrics)
    return m


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        if name.startswith("on_") and name not in ("on_batch_begin", "on_batch_end"):
            events = object.__getattribute__(self, "events")
            return lambda *a, **k: events.append((name,) + tuple(x for x in a if isinstance(x, int)))
        return object.__getattribute__(self, name)


def _weights_equal(a, b):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_default_batch_size_is_32():
    rec = Recorder()
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[rec])
    assert [e for e in rec.events if e[0] == "on_train_batch_end"] == [("on_train_batch_end", 0), ("on_train_batch_end", 1)]


def test_initial_epoch_runs_the_remaining_epochs():
    h = _model().fit(X, Y, epochs=4, initial_epoch=2, verbose=0)
    assert h.epoch == [2, 3]
    assert len(h.history["loss"]) == 2


def test_steps_per_epoch_carries_the_pass_over_epochs():
    a, b = _model(), _model()
    a.fit(X, Y, batch_size=16, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0)
    b.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    _weights_equal(a, b)


def test_steps_per_epoch_beyond_the_data_warns_and_stops_the_epoch():
    rec = Recorder()
    with pytest.warns(UserWarning, match="ran out of data"):
        _model().fit(X, Y, batch_size=16, epochs=1, steps_per_epoch=6, verbose=0, callbacks=[rec])
    assert sum(e[0] == "on_train_batch_end" for e in rec.events) == 4


def test_shuffle_false_and_batch_are_deterministic_and_differ_from_full():
    a, b = _model(), _model()
    a.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    b.fit(X, Y, batch_size=8, epochs=1, shuffle="batch", verbose=0)
    # within-batch order does not change a mean-reduced gradient
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-3, atol=1e-5)
    c = _model()
    c.fit(X, Y, batch_size=8, epochs=1, shuffle=True, verbose=0)
    assert not np.allclose(a.get_weights()[0], c.get_weights()[0])


def test_validation_split_uses_the_last_fraction():
    m = _model()
    h = m.fit(X, Y, epochs=2, validation_split=0.25, verbose=0)
    np.testing.assert_allclose(h.history["val_loss"][-1], m.evaluate(X[48:], Y[48:], verbose=0), rtol=1e-6)


def test_validation_split_is_taken_before_shuffling():
    a, b = _model(), _model()
    a.fit(X, Y, epochs=1, validation_split=0.25, shuffle=False, verbose=0)
    b.fit(X[:48], Y[:48], epochs=1, shuffle=False, verbose=0)
    _weights_equal(a, b)


def test_validation_split_out_of_range_raises():
    with pytest.raises(ValueError, match="validation_split"):
        _model().fit(X, Y, validation_split=1.5, verbose=0)


def test_validation_data_three_tuple_uses_sample_weight():
    m = _model()
    sw = np.linspace(0, 1, 16).astype("float32")
    h = m.fit(X, Y, epochs=1, validation_data=(X[:16], Y[:16], sw), verbose=0)
    np.testing.assert_allclose(h.history["val_loss"][0], m.evaluate(X[:16], Y[:16], sample_weight=sw, verbose=0), rtol=1e-6)


def test_validation_data_bad_tuple_raises():
    with pytest.raises(ValueError, match="validation_data"):
        _model().fit(X, Y, validation_data=(X, Y, None, None), verbose=0)


@pytest.mark.parametrize("freq,expected", [(2, 2), ([1, 3], 2), ((4,), 1), ({2, 3}, 2), (range(1, 5, 2), 2)])
def test_validation_freq_int_or_container(freq, expected):
    h = _model().fit(X, Y, epochs=4, validation_data=(X, Y), validation_freq=freq, verbose=0)
    assert len(h.history["val_loss"]) == expected
    assert len(h.history["loss"]) == 4


def test_validation_freq_bad_type_raises():
    with pytest.raises(ValueError, match="validation_freq"):
        _model().fit(X, Y, validation_data=(X, Y), validation_freq="2", verbose=0)


def test_validation_steps_and_batch_size():
    rec = Recorder()
    _model().fit(X, Y, epochs=1, validation_data=(X, Y), validation_batch_size=8, validation_steps=3, verbose=0,
                 callbacks=[rec])
    assert [e for e in rec.events if e[0] == "on_test_batch_end"] == [("on_test_batch_end", i) for i in range(3)]


def test_validation_batch_size_defaults_to_batch_size():
    rec = Recorder()
    _model().fit(X, Y, epochs=1, batch_size=16, validation_data=(X, Y), verbose=0, callbacks=[rec])
    assert sum(e[0] == "on_test_batch_end" for e in rec.events) == 4


def test_keras2_data_arguments_are_accepted():
    m = _model()
    kw = dict(max_queue_size=4, workers=2, use_multiprocessing=False)
    m.fit(X, Y, epochs=1, verbose=0, **kw)
    m.evaluate(X, Y, verbose=0, **kw)
    assert m.predict(X, verbose=0, **kw).shape == (64, 1)


def test_sample_weight_reaches_the_loss():
    # sum_over_batch_size: zero-weighted rows still count in the denominator, as in Keras
    sw = np.r_[np.ones(32), np.zeros(32)].astype("float32")
    m = _model()
    np.testing.assert_allclose(m.evaluate(X, Y, sample_weight=sw, batch_size=64, verbose=0),
                               0.5 * m.evaluate(X[:32], Y[:32], verbose=0), rtol=1e-6)


def test_class_weight_goes_to_the_program():
    h = _model().fit(X, Y, epochs=1, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    assert np.isfinite(h.history["loss"][0])


def test_steps_per_execution_override_gives_same_weights():
    a, b = _model(), _model()
    a.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    b.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0, steps_per_execution=3)
    _weights_equal(a, b)


def test_steps_per_execution_auto_gives_same_weights():
    a, b = _model(), _model()
    b.compile(optimizer="sgd", loss="mse", steps_per_execution="auto")
    keras.utils.set_random_seed(3)
    a.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    b.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    _weights_equal(a, b)


def test_bad_epochs_and_steps_raise():
    with pytest.raises(ValueError, match="epochs"):
        _model().fit(X, Y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _model().fit(X, Y, steps_per_epoch=0, verbose=0)


def test_evaluate_return_forms():
    m = _model(metrics=["mae"])
    loss, mae = m.evaluate(X, Y, verbose=0)
    d = m.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(d) == m.metrics_names == ["loss", "mae"]
    assert d == {"loss": loss, "mae": mae} and isinstance(loss, float)
    assert isinstance(_model().evaluate(X, Y, verbose=0), float)


def test_evaluate_steps_limits_batches():
    m = _model()
    np.testing.assert_allclose(m.evaluate(X, Y, batch_size=16, steps=1, verbose=0),
                               m.evaluate(X[:16], Y[:16], verbose=0), rtol=1e-6)


def test_evaluate_unknown_argument_raises():
    with pytest.raises(ValueError, match="not recognized"):
        _model().evaluate(X, Y, verbose=0, bogus=1)


def test_predict_steps_truncates_rows():
    assert _model().predict(X, batch_size=10, steps=2, verbose=0).shape == (20, 1)


def test_predict_keeps_the_output_structure():
    keras.utils.set_random_seed(0)
    inp = keras.Input((4,), name="a")
    m = keras.Model(inp, {"p": keras.layers.Dense(2)(inp), "q": keras.layers.Dense(3)(inp)})
    out = m.predict(X, verbose=0)
    assert set(out) == {"p", "q"} and out["p"].shape == (64, 2) and out["q"].shape == (64, 3)
    on_batch = m.predict_on_batch(X[:5])
    np.testing.assert_allclose(on_batch["q"], out["q"][:5], rtol=1e-6)


def test_dict_inputs_by_name():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    m = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Concatenate()([a, b])))
    x2 = X[:, :2].copy()
    np.testing.assert_allclose(m.predict({"b": x2, "a": X}, verbose=0), m.predict([X, x2], verbose=0), rtol=1e-6)


def test_wrong_input_shape_names_the_shapes_before_training():
    m = _model()
    w0 = m.get_weights()
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(64, 3\)"):
        m.fit(X[:, :3], Y, verbose=0)
    for a, b in zip(w0, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_stop_training_ends_after_the_batch():
    class Stop(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    rec = Recorder()
    h = _model().fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[Stop(), rec])
    assert sum(e[0] == "on_train_batch_end" for e in rec.events) == 2
    assert h.epoch == [0]


def test_steps_without_batch_size_cut_the_data_into_that_many_batches():
    a, b = _model(), _model()
    a.fit(X, Y, epochs=1, steps_per_epoch=4, shuffle=False, verbose=0)
    b.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    _weights_equal(a, b)
    np.testing.assert_allclose(a.evaluate(X, Y, steps=2, verbose=0), a.evaluate(X, Y, verbose=0), rtol=1e-6)


def test_validation_data_namedtuple_raises():
    from collections import namedtuple

    Pair = namedtuple("Pair", "x y")
    with pytest.raises(ValueError, match="namedtuple.*tuple"):
        _model().fit(X, Y, validation_data=Pair(X, Y), verbose=0)


def test_bad_validation_data_fails_before_training():
    m = _model()
    w0 = m.get_weights()
    with pytest.raises(ValueError, match=r"found shape=\(8, 3\)"):
        m.fit(X, Y, epochs=1, validation_data=(X[:8, :3], Y[:8]), verbose=0)
    for a, b in zip(w0, m.get_weights()):
        np.testing.assert_array_equal(a, b)
