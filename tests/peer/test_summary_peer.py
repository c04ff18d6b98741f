"""summary() and to_json/model_from_json against real Keras 3: the same printed tables for the
same models, and Keras-written JSON loads here."""

import json

import numpy as np
import pytest

import pykerascore


def build(K, which):
    L = K.layers
    if which == "seq":
        m = K.Sequential([K.Input((4,)), L.Dense(3, name="d1"), L.Dropout(0.1, name="dr"), L.Dense(2, name="d2")],
                         name="seq")
        m.layers[2].trainable = False
        return m
    a = K.Input((6,), name="inp")
    if which == "chain":
        return K.Model(a, L.Dense(2, name="o")(L.Dense(4, name="h")(a)), name="chain")
    if which == "multi":
        h = L.Dense(4, name="h")(a)
        return K.Model(a, [L.Dense(1, name="o1")(h), L.Dense(2, name="o2")(h)], name="multi")
    b = K.Input((3,), name="b")
    z = L.Concatenate(name="cat")([L.Dense(5, name="da")(a), L.Dense(5, name="db")(b)])
    return K.Model([a, b], L.Dense(1, name="out")(z), name="func")


@pytest.mark.parametrize("which", ["seq", "chain", "multi", "func"])
@pytest.mark.parametrize("kwargs", [{}, {"show_trainable": True}, {"line_length": 120},
                                    {"line_length": 60, "show_trainable": True}])
def test_summary_matches_keras(real_keras, monkeypatch, which, kwargs):
    monkeypatch.setenv("COLUMNS", "80")
    want, got = [], []
    build(real_keras, which).summary(print_fn=want.append, **kwargs)
    build(pykerascore, which).summary(print_fn=got.append, **kwargs)
    assert got == want


@pytest.mark.parametrize("which", ["seq", "func"])
def test_keras_json_loads_here(real_keras, which):
    km = build(real_keras, which)
    m = pykerascore.models.model_from_json(km.to_json())
    assert [l.name for l in m.layers] == [l.name for l in km.layers]
    m.set_weights(km.get_weights())
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(2, 6)).astype("float32"), rng.normal(size=(2, 3)).astype("float32")]
    if which == "seq":
        x = rng.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(m.predict(x, verbose=0), np.asarray(km.predict(x, verbose=0)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("which", ["seq", "func"])
def test_json_top_level_fields_match_keras(real_keras, which):
    want = json.loads(build(real_keras, which).to_json())
    got = json.loads(build(pykerascore, which).to_json())
    for key in ("module", "class_name", "registered_name", "build_config"):
        assert got[key] == want[key]
    assert [l["class_name"] for l in got["config"]["layers"]] == [l["class_name"] for l in want["config"]["layers"]]
    if which == "func":
        for key in ("input_layers", "output_layers"):
            assert got["config"][key] == want["config"][key]
        for g, w in zip(got["config"]["layers"], want["config"]["layers"]):
            assert g["inbound_nodes"] == w["inbound_nodes"]
