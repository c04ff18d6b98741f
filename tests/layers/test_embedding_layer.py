"""Embedding layer: gather, Keras default initializer, out-of-range errors, sparse-row gradient
in fit, config."""
import numpy as np
import pytest

import pykerascore as keras


def test_gather_returns_the_rows():
    layer = keras.layers.Embedding(10, 3)
    idx = np.array([[1, 2], [9, 1]])
    y = layer(idx)
    np.testing.assert_array_equal(y, layer.get_weights()[0][idx])


def test_default_initializer_is_uniform_005():
    w = keras.layers.Embedding(200, 50)
    w.build()
    table = w.embeddings.numpy()
    assert table.shape == (200, 50) and np.abs(table).max() <= 0.05 and table.std() > 0.02


def test_out_of_range_index_names_layer_and_range():
    layer = keras.layers.Embedding(5, 2, name="tokens")
    with pytest.raises(ValueError, match=r"tokens: index 5 is out of range.*\[0, 5\)"):
        layer(np.array([[0, 5]]))


def test_out_of_range_index_in_predict_raises():
    m = keras.Sequential([keras.Input((2,), dtype="int32"), keras.layers.Embedding(4, 2, name="emb")])
    with pytest.raises(ValueError, match="emb: index 7"):
        m.predict(np.array([[1, 7]], "int32"), verbose=0)


def test_fit_only_moves_rows_that_were_looked_up():
    inp = keras.Input((3,), dtype="int32")
    emb = keras.layers.Embedding(8, 4)
    out = keras.layers.Dense(1)(keras.layers.Flatten()(emb(inp)))
    m = keras.Model(inp, out)
    m.compile(optimizer="sgd", loss="mse")
    x = np.array([[0, 1, 2], [2, 3, 1]], "int32")
    before = emb.get_weights()[0]
    m.fit(x, np.ones((2, 1), "float32"), epochs=2, verbose=0)
    after = emb.get_weights()[0]
    moved = np.abs(after - before).sum(1) > 0
    np.testing.assert_array_equal(moved, [True, True, True, True, False, False, False, False])


def test_float_indices_from_sequential_without_int_input():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Embedding(6, 3)])
    table = m.layers[0].get_weights()[0]
    np.testing.assert_array_equal(m.predict(np.array([[5.0, 0.0]], "float32"), verbose=0), table[[[5, 0]]])


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_invalid_input_dim(bad):
    with pytest.raises(ValueError, match="input_dim"):
        keras.layers.Embedding(bad, 4)


def test_weights_argument_and_get_config():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    layer = keras.layers.Embedding(3, 2, weights=[table], mask_zero=True, name="e")
    np.testing.assert_array_equal(layer.embeddings.numpy(), table)
    cfg = layer.get_config()
    assert (cfg["input_dim"], cfg["output_dim"], cfg["mask_zero"], cfg["name"]) == (3, 2, True, "e")
    assert cfg["embeddings_initializer"]["class_name"] == "RandomUniform"
