"""Optimizer state in full-model files (D10): `.keras` and legacy `.h5` saves of a trained model
load with the same optimizer variables and continue training exactly as the original would;
include_optimizer=False leaves the state out and the load stays quiet."""

import warnings

import numpy as np
import pytest

import pykerascore as keras

RNG = np.random.default_rng(11)
X = RNG.random((64, 4), dtype=np.float32)
Y = RNG.random((64, 1), dtype=np.float32)


def trained():
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    return model


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_optimizer_variables_come_back(tmp_path, ext):
    model = trained()
    model.save(tmp_path / f"m.{ext}")
    loaded = keras.models.load_model(tmp_path / f"m.{ext}")
    assert int(loaded.optimizer.iterations.numpy()) == 8
    saved = [v.numpy() for v in model.optimizer.variables]
    restored = [v.numpy() for v in loaded.optimizer.variables]
    assert len(saved) == len(restored) == 2 + 2 * len(model.trainable_variables)
    for a, b in zip(saved, restored):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_loaded_model_continues_training_identically(tmp_path, ext):
    model = trained()
    model.save(tmp_path / f"m.{ext}")
    loaded = keras.models.load_model(tmp_path / f"m.{ext}")
    model.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_archive_without_optimizer_loads_a_fresh_optimizer_quietly(tmp_path):
    model = trained()
    model.save(tmp_path / "m.keras", include_optimizer=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.compiled and not loaded.optimizer.built
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=0, atol=0)
