"""Activation, Lambda, Flatten and Reshape layers: forward, shapes in functional models, use in
fit, errors and config."""
import numpy as np
import pytest

import pykerascore as keras
from pykerascore import ops


def x_data(shape=(4, 3), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_activation_layer():
    x = x_data()
    np.testing.assert_allclose(keras.layers.Activation("relu")(x), np.maximum(x, 0))
    np.testing.assert_allclose(keras.layers.Activation(None)(x), x)
    assert keras.layers.Activation("tanh").get_config()["activation"] == "tanh"


def test_lambda_infers_output_shape_by_tracing():
    inp = keras.Input((6,))
    out = keras.layers.Lambda(lambda t: ops.reshape(t, (-1, 2, 3)))(inp)
    assert out.shape == (None, 2, 3)
    assert keras.layers.Lambda(lambda t: ops.multiply(t, t)).compute_output_shape((None, 5)) == (None, 5)


def test_lambda_with_arguments_in_fit():
    def scale(t, k):
        return ops.multiply(t, k)

    m = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(scale, arguments={"k": 2.0}), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    x = x_data((16, 3))
    m.fit(x, x[:, :1], epochs=1, verbose=0)
    np.testing.assert_allclose(m.layers[0](x), 2 * x)


def test_lambda_config_named_function_round_trip():
    layer = keras.layers.Lambda(ops.relu, name="lam")
    cfg = layer.get_config()
    assert cfg["function"]["config"] == "relu"
    again = keras.layers.Lambda.from_config(cfg)
    np.testing.assert_allclose(again(np.array([-1.0, 2.0], "float32")), [0.0, 2.0])


def test_lambda_python_lambda_needs_unsafe_mode():
    cfg = keras.layers.Lambda(lambda t: t * 3.0).get_config()
    assert cfg["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode"):
        keras.layers.Lambda.from_config(cfg)
    fn = keras.layers.Lambda.from_config(cfg, safe_mode=False)
    np.testing.assert_allclose(fn(np.array([1.0], "float32")), [3.0])


def test_flatten():
    x = x_data((2, 3, 4))
    y = keras.layers.Flatten()(x)
    np.testing.assert_array_equal(y, x.reshape(2, 12))
    assert keras.layers.Flatten()(keras.Input((3, 4))).shape == (None, 12)


def test_flatten_rank1_input_gets_one_feature():
    assert keras.layers.Flatten()(keras.Input(())).shape == (None, 1)


def test_flatten_channels_first_moves_channels_last():
    x = x_data((2, 3, 4, 5))
    y = keras.layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(y, x.transpose(0, 2, 3, 1).reshape(2, 60))


def test_reshape_with_inferred_dim():
    x = x_data((2, 12))
    layer = keras.layers.Reshape((-1, 4))
    np.testing.assert_array_equal(layer(x), x.reshape(2, 3, 4))
    assert layer(keras.Input((12,))).shape == (None, 3, 4)
    assert layer.get_config()["target_shape"] == (-1, 4)


def test_reshape_size_mismatch():
    with pytest.raises(ValueError, match="total size"):
        keras.layers.Reshape((5,))(keras.Input((12,)))


@pytest.mark.parametrize("bad", [(-1, -1), (0, 3), ("a",)])
def test_reshape_invalid_target(bad):
    with pytest.raises(ValueError, match="target_shape"):
        keras.layers.Reshape(bad)


def test_flatten_reshape_in_fit_and_gradients_flow():
    m = keras.Sequential([keras.Input((2, 3)), keras.layers.Flatten(), keras.layers.Reshape((3, 2)), keras.layers.Flatten(),
                          keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x = x_data((64, 2, 3))
    y = x.reshape(64, 6) @ np.arange(6, dtype="float32")[:, None]
    h = m.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < 0.1 * h.history["loss"][0]
