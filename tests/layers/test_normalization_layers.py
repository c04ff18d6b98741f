"""BatchNormalization and LayerNormalization layers: Keras formulas in training and inference,
moving statistics after a fit step, trainable=False inference mode, weights and config."""
import numpy as np
import pytest

import pykerascore as keras


def x_data(shape=(16, 4), seed=0):
    return (np.random.default_rng(seed).normal(size=shape) * 3 + 1).astype("float32")


def bn_ref(x, mean, var, gamma=1.0, beta=0.0, eps=1e-3):
    return (x.astype(np.float64) - mean) / np.sqrt(var + eps) * gamma + beta


def test_bn_training_uses_batch_statistics():
    x = x_data()
    y = keras.layers.BatchNormalization()(x, training=True)
    np.testing.assert_allclose(y, bn_ref(x, x.mean(0), x.var(0)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("training", [None, False])
def test_bn_inference_uses_moving_statistics(training):
    x = x_data()
    y = keras.layers.BatchNormalization()(x, training=training)
    np.testing.assert_allclose(y, bn_ref(x, 0.0, 1.0), rtol=1e-6)


def test_bn_training_call_updates_moving_statistics():
    x = x_data()
    layer = keras.layers.BatchNormalization(momentum=0.9)
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * x.var(0), rtol=1e-5)


def test_bn_moving_statistics_after_one_fit_step_match_numpy():
    x, y = x_data((32, 3), 1), x_data((32, 3), 2)
    bn = keras.layers.BatchNormalization(momentum=0.8)
    m = keras.Sequential([keras.Input((3,)), bn])
    m.compile(optimizer="sgd", loss="mse")
    m.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    f32 = np.float32
    np.testing.assert_allclose(bn.moving_mean.numpy(), f32(0) * f32(0.8) + x.mean(0) * f32(1 - 0.8), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.numpy(), f32(1) * f32(0.8) + x.var(0) * f32(1 - 0.8), rtol=1e-6)


def test_bn_predict_after_fit_uses_the_moving_statistics():
    x = x_data((32, 3), 3)
    bn = keras.layers.BatchNormalization()
    m = keras.Sequential([keras.Input((3,)), bn])
    m.compile(optimizer="sgd", loss="mse")
    m.fit(x, x, batch_size=8, epochs=2, verbose=0)
    gamma, beta, mean, var = m.get_weights()
    np.testing.assert_allclose(m.predict(x, verbose=0), bn_ref(x, mean, var, gamma, beta), rtol=1e-5, atol=1e-5)


def test_bn_not_trainable_runs_in_inference_mode():
    x = x_data()
    layer = keras.layers.BatchNormalization()
    layer.trainable = False
    y = layer(x, training=True)
    np.testing.assert_allclose(y, bn_ref(x, 0.0, 1.0), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), 0)


def test_bn_channel_axis_1():
    x = x_data((4, 3, 5))
    y = keras.layers.BatchNormalization(axis=1)(x, training=True)
    np.testing.assert_allclose(y, bn_ref(x, x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)), rtol=1e-5, atol=1e-5)


def test_bn_weights_in_keras_order():
    layer = keras.layers.BatchNormalization()
    layer(x_data())
    assert [v.name for v in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [v.name for v in layer.trainable_weights] == ["gamma", "beta"]


def test_bn_without_center_and_scale_has_only_moving_statistics():
    layer = keras.layers.BatchNormalization(center=False, scale=False)
    x = x_data()
    y = layer(x, training=True)
    assert [v.name for v in layer.weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_allclose(y, bn_ref(x, x.mean(0), x.var(0)), rtol=1e-5, atol=1e-5)


def test_bn_gamma_and_beta_learn_in_fit():
    x = x_data((64, 2), 4)
    y = x_data((64, 2), 5) * 0 + np.array([3.0, -2.0], "float32")
    bn = keras.layers.BatchNormalization()
    m = keras.Sequential([keras.Input((2,)), bn])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    h = m.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert h.history["loss"][-1] < 0.2 * h.history["loss"][0]


def test_bn_get_config():
    cfg = keras.layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-4, center=False).get_config()
    assert (cfg["axis"], cfg["momentum"], cfg["epsilon"], cfg["center"], cfg["scale"]) == (1, 0.9, 1e-4, False, True)


def test_bn_unknown_channel_size_is_an_error():
    with pytest.raises(ValueError, match="axis"):
        keras.layers.BatchNormalization(axis=3)(x_data())


# ------------------------------------------------------------------------------ LayerNormalization
def ln_ref(x, axes, gamma=1.0, beta=0.0, eps=1e-3):
    x = x.astype(np.float64)
    return (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps) * gamma + beta


def test_ln_forward():
    x = x_data((5, 7))
    np.testing.assert_allclose(keras.layers.LayerNormalization()(x), ln_ref(x, -1), rtol=1e-5, atol=1e-5)


def test_ln_multiple_axes_weights_have_the_normalized_shape():
    x = x_data((2, 3, 4))
    layer = keras.layers.LayerNormalization(axis=[-2, -1])
    y = layer(x)
    assert layer.gamma.shape == (3, 4) and layer.beta.shape == (3, 4)
    assert layer.axis == [1, 2]
    np.testing.assert_allclose(y, ln_ref(x, (1, 2)), rtol=1e-5, atol=1e-5)


def test_ln_learns_in_fit():
    x = x_data((64, 4), 6)
    y = np.tile(np.array([[1.0, -1.0, 2.0, 0.0]], "float32"), (64, 1))
    m = keras.Sequential([keras.Input((4,)), keras.layers.LayerNormalization()])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    h = m.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]


def test_ln_get_config_and_bad_axis():
    cfg = keras.layers.LayerNormalization(axis=-1, epsilon=1e-5, center=False).get_config()
    assert (cfg["axis"], cfg["epsilon"], cfg["center"], cfg["scale"]) == (-1, 1e-5, False, True)
    with pytest.raises(TypeError):
        keras.layers.LayerNormalization(axis="x")
