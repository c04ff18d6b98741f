"""Merging layers (Keras 3 semantics): forward vs NumPy, rank expansion, shape errors,
functional multi-input models trained with fit."""
import numpy as np
import pytest

import pykerascore as keras


def arrays(n=3, shape=(4, 5)):
    r = np.random.default_rng(0)
    return [r.normal(size=shape).astype("float32") for _ in range(n)]


ELEMENTWISE = {
    "Add": lambda xs: sum(xs[1:], xs[0]),
    "Multiply": lambda xs: np.prod(np.stack(xs), 0),
    "Average": lambda xs: sum(xs[1:], xs[0]) / len(xs),
    "Maximum": lambda xs: np.max(np.stack(xs), 0),
    "Minimum": lambda xs: np.min(np.stack(xs), 0),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_forward(name):
    xs = arrays()
    np.testing.assert_allclose(getattr(keras.layers, name)()(xs), ELEMENTWISE[name](xs), rtol=1e-6)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_functional_form(name):
    xs = arrays(2)
    np.testing.assert_allclose(getattr(keras.layers, name.lower())(xs), ELEMENTWISE[name](xs), rtol=1e-6)


def test_subtract():
    a, b = arrays(2)
    np.testing.assert_allclose(keras.layers.Subtract()([a, b]), a - b)


def test_subtract_needs_exactly_two_inputs():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        keras.layers.Subtract()([keras.Input((3,))] * 3)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_incompatible_shapes(name):
    with pytest.raises(ValueError, match="incompatible shapes"):
        getattr(keras.layers, name)()([keras.Input((3,)), keras.Input((4,))])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list"):
        keras.layers.Add()(keras.Input((3,)))


def test_broadcast_and_rank_expansion():
    a = np.ones((2, 3, 4), "float32")
    b = np.arange(2, dtype="float32").reshape(2, 1) + 1  # (2, 1) -> expanded at axis 1 to (2, 1, 1)
    y = keras.layers.Add()([a, b])
    np.testing.assert_allclose(y, a + b[:, :, None])
    assert keras.layers.Add()([keras.Input((3, 4)), keras.Input((1,))]).shape == (None, 3, 4)


def test_concatenate():
    a, b = arrays(2, (2, 3)), arrays(2, (2, 4))
    np.testing.assert_array_equal(keras.layers.Concatenate()([a[0], b[0]]), np.concatenate([a[0], b[0]], -1))
    x, y = np.ones((2, 2, 5), "float32"), np.zeros((2, 1, 5), "float32")
    np.testing.assert_array_equal(keras.layers.Concatenate(axis=1)([x, y]), np.concatenate([x, y], 1))
    assert keras.layers.concatenate([keras.Input((3,)), keras.Input((4,))]).shape == (None, 7)


def test_concatenate_shape_mismatch():
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        keras.layers.Concatenate(axis=-1)([keras.Input((2, 3)), keras.Input((4, 3))])
    with pytest.raises(ValueError, match="matching shapes"):
        keras.layers.Concatenate()([keras.Input((2, 3)), keras.Input((3,))])


def test_concatenate_get_config():
    assert keras.layers.Concatenate(axis=1).get_config()["axis"] == 1


@pytest.mark.parametrize("merge", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"])
def test_two_input_model_trains(merge):
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    h = getattr(keras.layers, merge)()([keras.layers.Dense(4)(a), keras.layers.Dense(4)(b)])
    m = keras.Model([a, b], keras.layers.Dense(1)(h))
    m.compile(optimizer=keras.optimizers.SGD(0.02), loss="mse")
    r = np.random.default_rng(1)
    xa, xb = r.normal(size=(128, 4)).astype("float32"), r.normal(size=(128, 4)).astype("float32")
    y = (xa[:, :1] - xb[:, 1:2]).astype("float32")
    hist = m.fit([xa, xb], y, epochs=8, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
