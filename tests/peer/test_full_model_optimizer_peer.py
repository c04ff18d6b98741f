"""Optimizer state travels in whole-model files between pykerascore and real Keras 3: a model
trained in one, saved, loaded in the other and trained one more epoch in both ends with the
same weights. (Keras 3.15 cannot continue training a model it loaded from a legacy `.h5` with
optimizer state, even its own file, so `.h5` is checked in the Keras → pykerascore direction.)"""

import numpy as np
import pytest

import pykerascore as pk

RNG = np.random.default_rng(8)
X = RNG.random((64, 4), dtype=np.float32)
Y = RNG.random((64, 1), dtype=np.float32)


def _trained(lib):
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="relu", name="h"),
                            lib.layers.Dense(1, name="out")])
    model.compile(optimizer=lib.optimizers.Adam(0.01), loss=lib.losses.MeanSquaredError())
    model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    return model


def _continue_both(src_model, loaded):
    src_model.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(src_model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("direction", ["pk_to_keras", "keras_to_pk"])
def test_keras_archive_carries_optimizer_state(real_keras, tmp_path, direction):
    src, dst = (pk, real_keras) if direction == "pk_to_keras" else (real_keras, pk)
    model = _trained(src)
    model.save(tmp_path / "m.keras")
    loaded = dst.models.load_model(tmp_path / "m.keras")
    assert int(np.asarray(loaded.optimizer.iterations)) == 8
    _continue_both(model, loaded)


def test_keras_h5_optimizer_state_loads_in_pykerascore(real_keras, tmp_path):
    model = _trained(real_keras)
    model.save(tmp_path / "m.h5")
    loaded = pk.models.load_model(tmp_path / "m.h5")
    assert int(np.asarray(loaded.optimizer.iterations)) == 8
    _continue_both(model, loaded)


def test_pykerascore_h5_optimizer_weights_match_keras_layout(real_keras, tmp_path):
    import h5py

    pk_model, k_model = _trained(pk), _trained(real_keras)
    pk_model.save(tmp_path / "pk.h5")
    k_model.save(tmp_path / "k.h5")
    def shapes(path):
        with h5py.File(path, "r") as f:
            group = f["optimizer_weights"]
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            return [group[n].shape for n in names]

    assert shapes(tmp_path / "pk.h5") == shapes(tmp_path / "k.h5")
