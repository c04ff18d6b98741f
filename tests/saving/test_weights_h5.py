"""save_weights / load_weights with `.weights.h5` (U3): round trips, Keras 3's exact layout,
mismatch handling, bad files and the crash-safe write. Files made by real Keras 3 live in data/."""

import os

import h5py
import numpy as np
import pytest

import pykerascore as keras

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RNG = np.random.default_rng(7)


def _seq():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(2)])


def _functional():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(4, activation="tanh")(a)
    x = keras.layers.Concatenate()([h, b])
    return keras.Model([a, b], [keras.layers.Dense(1)(x), keras.layers.Dense(2)(x)])


class Sub(keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = keras.layers.Dense(3)
        self.bn = keras.layers.BatchNormalization()
        self.d2 = keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.d2(self.bn(self.d1(x), training=training))


def _randomize(model):
    # Non-default values everywhere, BatchNormalization's moving statistics included.
    for w in model.weights:
        w.assign(RNG.normal(size=w.shape).astype(w.dtype) + (2.0 if "variance" in w.name else 0.0))


def _same_weights(m1, m2):
    assert len(m1.weights) == len(m2.weights)
    for a, b in zip(m1.weights, m2.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _round_trip(make, x, tmp_path):
    m1 = make()
    if not m1.built:
        m1.build((None, 4))
    _randomize(m1)
    path = str(tmp_path / "m.weights.h5")
    m1.save_weights(path)
    m2 = make()
    if not m2.built:
        m2.build((None, 4))
    m2.load_weights(path)
    _same_weights(m1, m2)
    p1, p2 = m1.predict(x, verbose=0), m2.predict(x, verbose=0)
    p1, p2 = (p1, p2) if isinstance(p1, (list, tuple)) else ([p1], [p2])
    assert len(p1) == len(p2)
    for a, b in zip(p1, p2):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_round_trip_sequential_with_batchnorm(tmp_path):
    _round_trip(_seq, RNG.normal(size=(6, 3)).astype("float32"), tmp_path)


def test_round_trip_functional_multi_input_output(tmp_path):
    x = [RNG.normal(size=(6, 3)).astype("float32"), RNG.normal(size=(6, 2)).astype("float32")]
    _round_trip(_functional, x, tmp_path)


def test_round_trip_subclassed(tmp_path):
    _round_trip(Sub, RNG.normal(size=(6, 4)).astype("float32"), tmp_path)


def test_batchnorm_moving_statistics_restored(tmp_path):
    m1 = _seq()
    _randomize(m1)
    m1.save_weights(str(tmp_path / "bn.weights.h5"))
    m2 = _seq()
    m2.load_weights(str(tmp_path / "bn.weights.h5"))
    bn1, bn2 = m1.layers[1], m2.layers[1]
    assert len(bn2.non_trainable_weights) == 2
    for a, b in zip(bn1.non_trainable_weights, bn2.non_trainable_weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_layout_matches_keras_sequential(tmp_path):
    m = _seq()
    m.save_weights(str(tmp_path / "s.weights.h5"))
    with h5py.File(tmp_path / "s.weights.h5", "r") as f:
        names = []
        f.visit(names.append)
        assert sorted(names) == sorted([
            "layers", "layers/batch_normalization", "layers/batch_normalization/vars",
            *[f"layers/batch_normalization/vars/{i}" for i in range(4)],
            "layers/dense", "layers/dense/vars", "layers/dense/vars/0", "layers/dense/vars/1",
            "layers/dense_1", "layers/dense_1/vars", "layers/dense_1/vars/0", "layers/dense_1/vars/1",
            "vars"])
        assert f["vars"].attrs["name"] == m.name
        assert f["layers/dense/vars"].attrs["name"] == m.layers[0].name
        assert f["layers/dense/vars/0"].shape == (3, 4)
        assert f["layers/batch_normalization/vars/3"].shape == (4,)


def test_layout_subclassed_uses_attribute_names(tmp_path):
    m = Sub()
    m.build((None, 4))
    m.save_weights(str(tmp_path / "s.weights.h5"))
    with h5py.File(tmp_path / "s.weights.h5", "r") as f:
        assert set(f.keys()) == {"bn", "d1", "d2", "vars"}
        assert f["d1/vars/0"].shape == (4, 3)
        assert len(f["bn/vars"]) == 4


def test_loads_keras_written_sequential():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    m.load_weights(os.path.join(DATA, "keras_sequential.weights.h5"))
    x = np.load(os.path.join(DATA, "keras_sequential_x.npy"))
    expected = np.load(os.path.join(DATA, "keras_sequential_pred.npy"))
    np.testing.assert_allclose(m.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_loads_keras_written_functional():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(4, activation="tanh")(a)
    m = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Concatenate()([h, b])))
    m.load_weights(os.path.join(DATA, "keras_functional.weights.h5"))
    xa = np.load(os.path.join(DATA, "keras_functional_xa.npy"))
    xb = np.load(os.path.join(DATA, "keras_functional_xb.npy"))
    expected = np.load(os.path.join(DATA, "keras_functional_pred.npy"))
    np.testing.assert_allclose(m.predict([xa, xb], verbose=0), expected, rtol=1e-5, atol=1e-6)


def _wider():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(3)])


def test_shape_mismatch_names_layer_and_shapes(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _seq().save_weights(path)
    m = _wider()
    with pytest.raises(ValueError) as info:
        m.load_weights(path)
    msg = str(info.value)
    assert m.layers[2].name in msg
    assert "(4, 3)" in msg and "(4, 2)" in msg


def test_mismatch_leaves_model_unchanged(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _seq().save_weights(path)
    m = _wider()
    before = [w.numpy().copy() for w in m.weights]
    with pytest.raises(ValueError):
        m.load_weights(path)
    for b, w in zip(before, m.weights):
        np.testing.assert_array_equal(b, w.numpy())


def test_skip_mismatch_loads_the_rest(tmp_path):
    src = _seq()
    _randomize(src)
    path = str(tmp_path / "m.weights.h5")
    src.save_weights(path)
    m = _wider()
    before = [w.numpy().copy() for w in m.layers[2].weights]
    with pytest.warns(UserWarning, match=m.layers[2].name):
        m.load_weights(path, skip_mismatch=True)
    for b, w in zip(before, m.layers[2].weights):  # mismatched: untouched
        np.testing.assert_array_equal(b, w.numpy())
    for a, b in zip(src.layers[0].weights + src.layers[1].weights,
                    m.layers[0].weights + m.layers[1].weights):  # matching: loaded
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_variable_count_mismatch_raises(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=False)]).save_weights(path)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="expected 2 variables, but received 1"):
        m.load_weights(path)


def test_wrong_extension(tmp_path):
    m = _seq()
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        m.save_weights(str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        m.load_weights(str(tmp_path / "m.keras"))


def test_unbuilt_model_raises(tmp_path):
    with pytest.raises(ValueError, match="not yet been built"):
        Sub().save_weights(str(tmp_path / "m.weights.h5"))


def test_truncated_file_raises_clear_error(tmp_path):
    path = tmp_path / "m.weights.h5"
    _seq().save_weights(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        _seq().load_weights(str(path))


def test_garbage_file_raises_clear_error(tmp_path):
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"not an hdf5 file at all" * 10)
    with pytest.raises(ValueError, match="truncated or corrupted"):
        _seq().load_weights(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        _seq().load_weights(str(tmp_path / "none.weights.h5"))


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.weights.h5"
    old = _seq()
    _randomize(old)
    old.save_weights(str(path))
    old_bytes = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        _seq().save_weights(str(path))
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["m.weights.h5"]
    fresh = _seq()
    fresh.load_weights(str(path))
    _same_weights(old, fresh)


def test_overwrite_false_asks(tmp_path, monkeypatch):
    path = tmp_path / "m.weights.h5"
    _seq().save_weights(str(path))
    before = path.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    m = _seq()
    _randomize(m)
    m.save_weights(str(path), overwrite=False)
    assert path.read_bytes() == before


def test_saved_file_has_ordinary_permissions(tmp_path):
    path = tmp_path / "m.weights.h5"
    _seq().save_weights(str(path))
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~umask)
