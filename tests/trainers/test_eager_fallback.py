"""Non-traceable pieces (a custom metric or loss written with NumPy) fall back to eager steps
with one clear warning, instead of failing; the numbers equal run_eagerly=True."""

import warnings

import numpy as np
import pytest

import pykerascore as keras


class NumpyMAE(keras.metrics.Metric):
    def __init__(self, **kwargs):
        super().__init__(name="np_mae", **kwargs)
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = np.asarray(y_true), np.asarray(y_pred)
        self.total += float(np.abs(t - p).sum())
        self.count += t.shape[0]

    def result(self):
        return self.total / max(self.count, 1)

    def reset_state(self):
        self.total, self.count = 0.0, 0


def _data():
    r = np.random.default_rng(0)
    x = r.normal(size=(40, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-1.0], [0.5]], "float32")).astype("float32")


def _fit(run_eagerly):
    keras.utils.set_random_seed(2)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=[NumpyMAE()], run_eagerly=run_eagerly)
    x, y = _data()
    return m, m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)


def test_numpy_metric_falls_back_with_one_warning():
    with pytest.warns(UserWarning, match="could not be compiled into the native program") as record:
        m, h = _fit(run_eagerly=False)
        x, y = _data()
        m.evaluate(x, y, verbose=0)
    assert sum("could not be compiled" in str(w.message) for w in record) == 1
    assert np.isfinite(h.history["np_mae"]).all()


def test_fallback_gives_the_same_numbers_as_run_eagerly():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1, h1 = _fit(run_eagerly=False)
    m2, h2 = _fit(run_eagerly=True)
    for k in h2.history:
        np.testing.assert_allclose(h1.history[k], h2.history[k], rtol=1e-6)
    for a, b in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_traceable_models_do_not_fall_back():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.fit(x, y, verbose=0)
    assert m._eager_fallback is False


def test_generator_input_falls_back_too():
    def batches():
        x, y = _data()
        for i in range(0, 40, 8):
            yield x[i:i + 8], y[i:i + 8]

    keras.utils.set_random_seed(2)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", metrics=[NumpyMAE()])
    with pytest.warns(UserWarning, match="could not be compiled"):
        h = m.fit(batches(), epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(h.history["np_mae"][0]) and h.history["np_mae"][0] > 0
