"""jit_compile toggles op fusion in the native program; the numbers stay the same (1e-6)."""

import numpy as np
import pytest

import pykerascore as keras


def _run(jit, loss="sparse_categorical_crossentropy"):
    keras.utils.set_random_seed(3)
    r = np.random.default_rng(0)
    x = r.normal(size=(256, 8)).astype("float32")
    y = r.integers(0, 4, size=256)
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"], jit_compile=jit)
    h = m.fit(x, y, epochs=3, batch_size=32, verbose=0)
    return h.history, m.get_weights(), m.predict(x, verbose=0)


def test_fused_and_unfused_programs_give_the_same_numbers():
    h_on, w_on, p_on = _run("auto")
    h_off, w_off, p_off = _run(False)
    for k in h_on:
        np.testing.assert_allclose(h_on[k], h_off[k], rtol=1e-6, atol=1e-6)
    for a, b in zip(w_on, w_off):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(p_on, p_off, rtol=1e-6, atol=1e-7)


def test_unfused_program_has_more_nodes():
    m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    x, y = np.zeros((32, 8), "float32"), np.zeros((32, 1), "float32")
    counts = {}
    for jit in (True, False):
        m.compile(optimizer="sgd", loss="mse", jit_compile=jit)
        m.fit(x, y, verbose=0)
        prog, = [v for k, v in m._programs.items() if k[0] == "train"]
        counts[jit] = prog.native.num_nodes
    assert counts[False] > counts[True]


def test_jit_compile_attribute_reflects_compile_argument():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse", jit_compile=False)
    assert m.jit_compile is False
