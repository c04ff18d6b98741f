"""Subclassed models, shared layers, multi-input graphs, and program caching."""

import numpy as np
import pytest

import pykerascore as keras


class TwoTower(keras.Model):
    def __init__(self):
        super().__init__()
        self.a = keras.layers.Dense(8, activation="relu")
        self.b = keras.layers.Dense(8, activation="relu")
        self.head = keras.layers.Dense(1)

    def call(self, inputs, training=False):
        x1, x2 = inputs
        h = self.a(x1) + self.b(x2)
        if training:
            h = h * 1.0
        return self.head(h)


def _two_inputs(n=200):
    r = np.random.default_rng(0)
    x1 = r.normal(size=(n, 4)).astype("float32")
    x2 = r.normal(size=(n, 6)).astype("float32")
    y = (x1.sum(1, keepdims=True) - x2[:, :1]).astype("float32")
    return x1, x2, y


def test_subclassed_model_tracks_layers_and_trains():
    x1, x2, y = _two_inputs()
    m = TwoTower()
    m.compile(optimizer="adam", loss="mse")
    h = m.fit([x1, x2], y, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert len(m.trainable_weights) == 6
    assert m.predict([x1, x2], verbose=0).shape == (200, 1)


def test_subclassed_model_matches_manual_forward():
    x1, x2, y = _two_inputs(10)
    m = TwoTower()
    p = m.predict([x1, x2], verbose=0)
    wa, ba, wb, bb, wh, bh = [w.astype("float64") for w in m.get_weights()]
    h = np.maximum(x1 @ wa + ba, 0) + np.maximum(x2 @ wb + bb, 0)
    np.testing.assert_allclose(p, h @ wh + bh, rtol=1e-5, atol=1e-6)


def test_shared_layer_gradients_accumulate():
    shared = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")
    a, b = keras.Input((2,)), keras.Input((2,))
    out = shared(a) + shared(b)
    m = keras.Model([a, b], out)
    assert len(m.trainable_weights) == 1
    xa = np.array([[1.0, 2.0]], "float32")
    xb = np.array([[3.0, 5.0]], "float32")
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    m.fit([xa, xb], np.zeros((1, 1), "float32"), verbose=0)
    # loss = (w.(xa+xb))^2 -> grad = 2*pred*(xa+xb); pred = 11 with w = 1
    expect = 1.0 - 0.1 * 2 * 11 * (xa + xb)[0]
    np.testing.assert_allclose(m.get_weights()[0][:, 0], expect, rtol=1e-6)


def test_functional_multi_input_dict_by_name():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    m = keras.Model({"a": a, "b": b}, keras.layers.Dense(1)(keras.layers.Dense(4)(a) + keras.layers.Dense(4)(b)))
    xa, xb = np.ones((5, 2), "float32"), np.ones((5, 3), "float32")
    np.testing.assert_allclose(m.predict({"a": xa, "b": xb}, verbose=0), m.predict({"b": xb, "a": xa}, verbose=0))


def test_program_is_traced_once_per_signature():
    calls = []

    class Counting(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)

        def call(self, x, training=False):
            calls.append(training)
            return self.d(x)

    m = Counting()
    m.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((64, 3), "float32"), np.zeros((64, 1), "float32")
    m.fit(x, y, verbose=0)
    n = len(calls)
    m.fit(x, y, epochs=3, verbose=0)
    assert len(calls) == n  # cached: no re-trace
    m.fit(x, y, batch_size=16, verbose=0)
    assert len(calls) == n + 1  # new batch size: one new program


def test_model_call_on_arrays_returns_arrays():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    x = np.ones((4, 3), "float32")
    out = m(x)
    assert isinstance(out, np.ndarray) and out.shape == (4, 2)
    np.testing.assert_allclose(out, m.predict(x, verbose=0), rtol=1e-6)
