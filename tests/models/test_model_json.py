"""to_json / model_from_json: Keras 3's config format for Sequential and functional models, a
round trip that rebuilds the same architecture; to_yaml does not exist, as in Keras 3."""

import json

import numpy as np
import pytest

import pykerascore as keras
from pykerascore import layers
from pykerascore.models import model_from_json


def seq_model():
    return keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu", name="d1"),
                             layers.Dropout(0.1, name="dr"), layers.Dense(2, name="d2")], name="seq")


def func_model():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    x = layers.Dense(5, name="da")(a)
    y = layers.Dense(5, name="db")(b)
    z = layers.Add(name="add")([x, y])
    return keras.Model([a, b], layers.Dense(1, name="out")(z), name="func")


def test_sequential_json_envelope():
    cfg = json.loads(seq_model().to_json())
    assert cfg["module"] == "keras" and cfg["class_name"] == "Sequential" and cfg["registered_name"] is None
    assert cfg["build_config"] == {"input_shape": [None, 4]}
    assert cfg["config"]["name"] == "seq"
    assert [l["class_name"] for l in cfg["config"]["layers"]] == ["InputLayer", "Dense", "Dropout", "Dense"]
    dense = cfg["config"]["layers"][1]
    assert dense["module"] == "keras.layers" and dense["config"]["units"] == 3
    assert dense["build_config"] == {"input_shape": [None, 4]}


def test_functional_json_graph():
    cfg = json.loads(func_model().to_json())
    assert (cfg["module"], cfg["class_name"], cfg["registered_name"]) == (
        "keras.src.models.functional", "Functional", "Functional")
    c = cfg["config"]
    assert c["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert c["output_layers"] == ["out", 0, 0]
    add = [l for l in c["layers"] if l["name"] == "add"][0]
    assert add["inbound_nodes"] == [{"args": [[
        {"class_name": "__keras_tensor__", "config": {"shape": [None, 5], "dtype": "float32",
                                                     "keras_history": ["da", 0, 0]}},
        {"class_name": "__keras_tensor__", "config": {"shape": [None, 5], "dtype": "float32",
                                                     "keras_history": ["db", 0, 0]}},
    ]], "kwargs": {}}]
    assert [l for l in c["layers"] if l["name"] == "a"][0]["inbound_nodes"] == []


def structure(model):
    return [(type(l).__name__, l.name, [tuple(w.shape) for w in l.weights]) for l in model.layers]


def test_sequential_round_trip_predicts_the_same():
    m = seq_model()
    m2 = model_from_json(m.to_json())
    assert isinstance(m2, keras.Sequential) and m2.name == "seq"
    assert structure(m2) == structure(m)
    m2.set_weights(m.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_array_equal(m2.predict(x, verbose=0), m.predict(x, verbose=0))


def test_functional_round_trip_predicts_the_same():
    m = func_model()
    m2 = model_from_json(m.to_json())
    assert structure(m2) == structure(m)
    assert m2.input_names == ["a", "b"]
    m2.set_weights(m.get_weights())
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(3, 3)).astype("float32")]
    np.testing.assert_array_equal(m2.predict(x, verbose=0), m.predict(x, verbose=0))


def test_shared_layer_round_trip():
    a = keras.Input((3,), name="a")
    shared = layers.Dense(3, name="shared")
    m = keras.Model(a, shared(shared(a)), name="twice")
    cfg = json.loads(m.to_json())["config"]
    nodes = [l for l in cfg["layers"] if l["name"] == "shared"][0]["inbound_nodes"]
    assert [n["args"][0]["config"]["keras_history"] for n in nodes] == [["a", 0, 0], ["shared", 0, 0]]
    assert cfg["output_layers"] == ["shared", 1, 0]
    m2 = model_from_json(m.to_json())
    m2.set_weights(m.get_weights())
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(m2.predict(x, verbose=0), m.predict(x, verbose=0))


def test_unknown_layer_needs_custom_objects():
    class Twice(layers.Layer):
        def call(self, x):
            return x * 2.0

    a = keras.Input((2,), name="a")
    m = keras.Model(a, Twice(name="tw")(a))
    with pytest.raises(ValueError, match="Unknown layer: 'Twice'"):
        model_from_json(m.to_json())
    m2 = model_from_json(m.to_json(), custom_objects={"Twice": Twice})
    np.testing.assert_array_equal(m2.predict(np.ones((1, 2), "float32"), verbose=0), [[2.0, 2.0]])


def test_to_yaml_is_gone_as_in_keras3():
    # Keras 3 removed to_yaml: the call fails with AttributeError.
    with pytest.raises(AttributeError):
        seq_model().to_yaml()


# ------------------------------------------------------------------ subclassed models
class AutoConfigured(keras.Model):
    """No get_config: plain-valued __init__ arguments are enough (Keras 3's auto config)."""

    def __init__(self, units=3, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units, activation=activation)

    def call(self, x):
        return self.dense(x)


class Holder(keras.Model):
    def __init__(self, inner_layer, **kwargs):
        super().__init__(**kwargs)
        self.inner_layer = inner_layer

    def call(self, x):
        return self.inner_layer(x)


def test_subclassed_auto_config_holds_init_arguments():
    model = AutoConfigured(units=5, activation="tanh", name="auto")
    cfg = model.get_config()
    assert (cfg["units"], cfg["activation"], cfg["name"]) == (5, "tanh", "auto")
    assert cfg["dtype"]["class_name"] == "DTypePolicy"
    clone = AutoConfigured.from_config(cfg)
    assert (clone.units, clone.name) == (5, "auto")


def test_subclassed_json_round_trip_with_custom_objects():
    model = AutoConfigured(units=4, name="auto_json")
    model.build((None, 2))
    data = json.loads(model.to_json())
    assert data["class_name"] == "AutoConfigured" and data["build_config"] == {"input_shape": [None, 2]}
    clone = model_from_json(model.to_json(), custom_objects={"AutoConfigured": AutoConfigured})
    assert isinstance(clone, AutoConfigured) and clone.built
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(2).normal(size=(3, 2)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_subclassed_model_with_object_arguments_needs_get_config():
    with pytest.raises(NotImplementedError, match="get_config"):
        Holder(layers.Dense(2)).get_config()


def test_unknown_subclass_in_json_raises():
    model = AutoConfigured(units=2)
    with pytest.raises(ValueError, match="AutoConfigured"):
        model_from_json(model.to_json())
