"""model.save / load_model with `.keras` archives (U2, D10): Keras 3's zip layout, round trips
of Sequential, functional multi-input/multi-output and subclassed models (compiled or not),
files written by real Keras 3.15 (data/ref_*.keras), argument errors, the overwrite prompt,
safe mode, custom objects and damaged files."""

import json
import os
import zipfile

import numpy as np
import pytest

import pykerascore as keras

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
REF = np.load(os.path.join(DATA, "ref_inputs_predictions.npz"))
RNG = np.random.default_rng(3)


# Same package, name, attributes and config as the class in data/make_reference_files.py.
@keras.saving.register_keras_serializable(package="pkc_ref")
class TinySub(keras.Model):
    def __init__(self, hidden=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.d1 = keras.layers.Dense(hidden, activation="tanh")
        self.d2 = keras.layers.Dense(2)

    def call(self, x, training=False):
        return self.d2(self.d1(x))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


def sequential():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="d1"),
                             keras.layers.Dropout(0.2), keras.layers.Dense(2, name="d2")], name="seq")


def functional():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(4, activation="tanh", name="ha")(a)
    x = keras.layers.Concatenate(name="cat")([h, b])
    return keras.Model([a, b], [keras.layers.Dense(1, name="reg")(x),
                                keras.layers.Dense(3, activation="softmax", name="cls")(x)], name="func")


def subclassed():
    m = TinySub(hidden=5, name="sub")
    m.build((None, 3))
    return m


def x_for(kind):
    if kind == "functional":
        return [RNG.normal(size=(6, 3)).astype("float32"), RNG.normal(size=(6, 2)).astype("float32")]
    return RNG.normal(size=(6, 3)).astype("float32")


def preds(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


BUILDERS = {"sequential": sequential, "functional": functional, "subclassed": subclassed}


def compile_for(model, kind):
    if kind == "functional":
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                      loss={"reg": "mse", "cls": "categorical_crossentropy"}, metrics={"cls": ["accuracy"]})
    else:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.Huber(delta=0.5),
                      metrics=["mae", keras.metrics.RootMeanSquaredError(name="rmse")])


# ------------------------------------------------------------------ layout
def test_archive_has_keras_layout(tmp_path):
    model = sequential()
    compile_for(model, "sequential")
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        meta = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
    assert set(meta) == {"keras_version", "date_saved"} and meta["keras_version"].startswith("3.")
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    assert config["compile_config"]["loss"]["class_name"] == "Huber"
    assert config["compile_config"]["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    assert config["compile_config"]["metrics"][0] == "mae"


def test_uncompiled_model_has_no_compile_config(tmp_path):
    path = tmp_path / "m.keras"
    sequential().save(path)
    with zipfile.ZipFile(path) as zf:
        assert "compile_config" not in json.loads(zf.read("config.json"))
    assert keras.models.load_model(path).compiled is False


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_round_trip_predicts_the_same_and_recompiles(tmp_path, kind):
    model = BUILDERS[kind]()
    compile_for(model, kind)
    x = x_for(kind)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) or kind == "functional"
    for a, b in zip(preds(loaded, x), preds(model, x)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert loaded.compiled
    assert loaded.get_compile_config() == model.get_compile_config()


def test_compile_false_leaves_the_model_uncompiled(tmp_path):
    model = sequential()
    compile_for(model, "sequential")
    model.save(tmp_path / "m.keras")
    assert keras.models.load_model(tmp_path / "m.keras", compile=False).compiled is False


def test_loaded_model_trains(tmp_path):
    model = sequential()
    compile_for(model, "sequential")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x, y = x_for("sequential"), RNG.normal(size=(6, 2)).astype("float32")
    history = loaded.fit(x, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "mae", "rmse"}


# ------------------------------------------------------------------ files written by real Keras
@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_loads_keras_written_archive(kind):
    model = keras.models.load_model(os.path.join(DATA, f"ref_{kind}.keras"))
    x = [REF["xa"], REF["xb"]] if kind == "functional" else REF["x_seq"]
    out = preds(model, x)
    for i, p in enumerate(out):
        np.testing.assert_allclose(p, REF[f"{kind}_pred{i}"], rtol=0, atol=1e-6)
    assert model.compiled


def test_keras_written_compile_config_is_applied():
    model = keras.models.load_model(os.path.join(DATA, "ref_functional.keras"))
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.get_config()["momentum"] == pytest.approx(0.9)
    assert model.get_compile_config()["loss"] == {"reg": "mse", "cls": "categorical_crossentropy"}


# ------------------------------------------------------------------ arguments
def test_save_format_tf_raises(tmp_path):
    with pytest.raises(ValueError, match="save_format"):
        sequential().save(tmp_path / "m.keras", save_format="tf")
    assert not os.listdir(tmp_path)


def test_unknown_extension_raises(tmp_path):
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        sequential().save(tmp_path / "m.pb")


def test_unknown_argument_raises(tmp_path):
    with pytest.raises(ValueError, match="not supported"):
        sequential().save(tmp_path / "m.keras", signatures=None)


def test_unbuilt_model_raises(tmp_path):
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not been built"):
        model.save(tmp_path / "m.keras")


def test_load_missing_file_raises(tmp_path):
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "nope.keras")


@pytest.mark.parametrize("answer, replaced", [("n", False), ("y", True)])
def test_overwrite_false_asks(tmp_path, monkeypatch, answer, replaced):
    path = tmp_path / "m.keras"
    first = sequential()
    first.save(path)
    second = sequential()
    second.set_weights([w + 1.0 for w in first.get_weights()])
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    second.save(path, overwrite=False)
    assert len(asked) == 1 and str(path) in asked[0]
    expected = second if replaced else first
    x = x_for("sequential")
    np.testing.assert_array_equal(preds(keras.models.load_model(path), x)[0], preds(expected, x)[0])


# ------------------------------------------------------------------ safe mode and custom objects
def lambda_model():
    inp = keras.Input((3,))
    return keras.Model(inp, keras.layers.Lambda(lambda t: t * 2.0 + 1.0)(inp))


def test_lambda_is_refused_in_safe_mode(tmp_path):
    lambda_model().save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "m.keras")


def test_lambda_loads_with_safe_mode_false(tmp_path):
    lambda_model().save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=False)
    x = x_for("sequential")
    np.testing.assert_allclose(preds(loaded, x)[0], x * 2.0 + 1.0, atol=1e-6)


class Scale(keras.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def scaled_error(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1) * 3.0


def custom_model():
    inp = keras.Input((3,))
    model = keras.Model(inp, Scale(2.5, name="scale")(keras.layers.Dense(2)(inp)))
    model.compile("sgd", loss=scaled_error, metrics=[scaled_error])
    return model


def test_unknown_custom_class_names_the_file(tmp_path):
    path = tmp_path / "m.keras"
    custom_model().save(path)
    with pytest.raises(ValueError, match="Scale") as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("how", ["custom_objects", "scope", "global"])
def test_custom_objects_resolve_layers_and_losses(tmp_path, how, monkeypatch):
    path = tmp_path / "m.keras"
    model = custom_model()
    model.save(path)
    objects = {"Scale": Scale, "scaled_error": scaled_error}
    if how == "custom_objects":
        loaded = keras.models.load_model(path, custom_objects=objects)
    elif how == "scope":
        with keras.saving.custom_object_scope(objects):
            loaded = keras.models.load_model(path)
    else:
        table = keras.saving.get_custom_objects()
        for k, v in objects.items():
            monkeypatch.setitem(table, k, v)
        loaded = keras.models.load_model(path)
    assert loaded.get_layer("scale").factor == 2.5
    assert loaded.loss is scaled_error
    x = x_for("sequential")
    np.testing.assert_allclose(preds(loaded, x)[0], preds(model, x)[0], atol=1e-6)


def test_registered_class_round_trips_without_custom_objects(tmp_path):
    model = subclassed()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    assert config["registered_name"] == "pkc_ref>TinySub" and config["config"]["hidden"] == 5
    assert isinstance(keras.models.load_model(tmp_path / "m.keras"), TinySub)


# ------------------------------------------------------------------ damaged files
def test_not_a_zip_raises_naming_the_file(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError, match="not a valid `.keras` zip") as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_truncated_archive_raises_naming_the_file(tmp_path):
    path = tmp_path / "m.keras"
    sequential().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def _rewrite_config(path, edit):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["config.json"] = edit(members["config.json"])
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_unknown_class_in_config_raises_naming_the_file(tmp_path):
    path = tmp_path / "m.keras"
    sequential().save(path)
    _rewrite_config(path, lambda b: b.replace(b'"class_name": "Dense"', b'"class_name": "NoSuchLayer"'))
    with pytest.raises(ValueError, match="NoSuchLayer") as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_invalid_json_raises_naming_the_file(tmp_path):
    path = tmp_path / "m.keras"
    sequential().save(path)
    _rewrite_config(path, lambda b: b[:-10])
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    assert str(path) in str(info.value)


def test_archive_without_weights_raises(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(ValueError, match="model.weights.h5"):
        keras.models.load_model(path)
