"""model.save / load_model with legacy `.h5` files (D10): the Keras 2 / tf.keras HDF5 layout,
round trips, files written by real Keras 3.15 (data/ref_*.h5), include_optimizer, subclassed
models (refused with a clear message, as Keras cannot either) and damaged files."""

import json
import os

import h5py
import numpy as np
import pytest

import pykerascore as keras

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
REF = np.load(os.path.join(DATA, "ref_inputs_predictions.npz"))
RNG = np.random.default_rng(5)


def sequential():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="d1"),
                             keras.layers.BatchNormalization(name="bn"), keras.layers.Dense(2, name="d2")],
                            name="seq")


def functional():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(4, activation="tanh", name="ha")(a)
    x = keras.layers.Concatenate(name="cat")([h, b])
    return keras.Model([a, b], [keras.layers.Dense(1, name="reg")(x),
                                keras.layers.Dense(3, activation="softmax", name="cls")(x)], name="func")


def preds(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


def randomize(model):
    for w in model.weights:
        value = RNG.normal(size=tuple(w.shape)).astype("float32")
        w.assign(np.abs(value) + 0.5 if "variance" in w.name else value)


def test_file_has_legacy_layout(tmp_path):
    model = functional()
    model.compile("adam", loss={"reg": "mse", "cls": "categorical_crossentropy"})
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path, "r") as f:
        assert {"model_config", "training_config", "keras_version", "backend"} <= set(f.attrs)
        config = json.loads(f.attrs["model_config"])
        training = json.loads(f.attrs["training_config"])
        group = f["model_weights"]
        layer_names = [n.decode() for n in group.attrs["layer_names"]]
        ha = [n.decode() for n in group["ha"].attrs["weight_names"]]
        kernel = group["ha"]["ha/kernel"][()]
    assert config["class_name"] == "Functional"
    assert set(config["config"]["layers"][0]) == {"class_name", "config", "name", "inbound_nodes"}
    assert training["loss"] == {"reg": "mse", "cls": "categorical_crossentropy"}
    assert training["optimizer_config"]["class_name"] == "Adam"
    assert layer_names == ["a", "ha", "b", "cat", "reg", "cls"]  # real Keras's model.layers order
    assert ha == ["ha/kernel", "ha/bias"]
    np.testing.assert_array_equal(kernel, model.get_layer("ha").get_weights()[0])


@pytest.mark.parametrize("build, x", [
    (sequential, lambda: RNG.normal(size=(5, 3)).astype("float32")),
    (functional, lambda: [RNG.normal(size=(5, 3)).astype("float32"), RNG.normal(size=(5, 2)).astype("float32")]),
])
def test_round_trip_predicts_the_same(tmp_path, build, x):
    model = build()
    randomize(model)
    model.compile("sgd", loss="mse", metrics={"d2": ["mae"]} if build is sequential else {"reg": ["mae"]})
    model.save(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5")
    xs = x()
    for a, b in zip(preds(loaded, xs), preds(model, xs)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert loaded.compiled and loaded.get_compile_config() == model.get_compile_config()


def test_include_optimizer_false_saves_no_training_config(tmp_path):
    model = sequential()
    model.compile("adam", "mse")
    model.save(tmp_path / "m.h5", include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    assert keras.models.load_model(tmp_path / "m.h5").compiled is False


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_loads_keras_written_h5(kind):
    model = keras.models.load_model(os.path.join(DATA, f"ref_{kind}.h5"))
    x = [REF["xa"], REF["xb"]] if kind == "functional" else REF["x_seq"]
    for i, p in enumerate(preds(model, x)):
        np.testing.assert_allclose(p, REF[f"{kind}_pred{i}"], rtol=0, atol=1e-6)
    assert model.compiled


def test_subclassed_model_weights_cannot_come_back_from_h5(tmp_path):
    @keras.saving.register_keras_serializable(package="pkc_h5_test")
    class Two(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

    model = Two()
    model.build((None, 3))
    model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="Save subclassed models as `.keras`"):
        keras.models.load_model(tmp_path / "m.h5")


def test_not_hdf5_raises_naming_the_file(tmp_path):
    path = tmp_path / "m.h5"
    path.write_bytes(b"garbage" * 100)
    with pytest.raises(ValueError, match="not a readable HDF5") as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_truncated_h5_raises(tmp_path):
    path = tmp_path / "m.h5"
    sequential().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_weights_file_without_model_config_raises(tmp_path):
    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as f:
        f.create_group("model_weights")
    with pytest.raises(ValueError, match="No model config"):
        keras.models.load_model(path)


def test_unknown_class_in_model_config_raises(tmp_path):
    path = tmp_path / "m.h5"
    sequential().save(path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = f.attrs["model_config"].replace('"BatchNormalization"', '"Mystery"')
    with pytest.raises(ValueError, match="Mystery") as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_shape_mismatch_leaves_nothing_half_loaded(tmp_path):
    path = tmp_path / "m.h5"
    sequential().save(path)
    with h5py.File(path, "r+") as f:
        del f["model_weights/d2/d2/bias"]
        f["model_weights/d2"].create_dataset("d2/bias", data=np.zeros(7, "float32"))
    with pytest.raises(ValueError, match="shape"):
        keras.models.load_model(path)
