"""Dropout layer: identity at rate 0 and in inference, Keras scaling in training, masks from
(seed, step) reproducible and different across steps in fit, gradients masked, config."""
import numpy as np
import pytest

import pykerascore as keras

from .philox_ref import keep_mask


def x_data(shape=(4, 50), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32") + 3.0


def test_rate_zero_is_identity_in_training():
    x = x_data()
    np.testing.assert_array_equal(keras.layers.Dropout(0.0)(x, training=True), x)


@pytest.mark.parametrize("training", [None, False])
def test_inference_is_identity(training):
    x = x_data()
    np.testing.assert_array_equal(keras.layers.Dropout(0.5, seed=1)(x, training=training), x)


def test_training_drops_and_scales_like_keras():
    x = x_data()
    layer = keras.layers.Dropout(0.25, seed=99)
    y = layer(x, training=True)
    keep = keep_mask(99, 0, x.size, 0.25).reshape(x.shape)
    np.testing.assert_array_equal(y, np.where(keep, x / np.float32(0.75), 0))


def test_same_seed_same_mask_and_different_seed_different_mask():
    x = x_data()
    a = keras.layers.Dropout(0.5, seed=5)(x, training=True)
    b = keras.layers.Dropout(0.5, seed=5)(x, training=True)
    c = keras.layers.Dropout(0.5, seed=6)(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_unseeded_layers_draw_reproducible_seeds_from_the_global_seed():
    x = x_data()
    keras.utils.set_random_seed(3)
    a = keras.layers.Dropout(0.5)(x, training=True)
    keras.utils.set_random_seed(3)
    b = keras.layers.Dropout(0.5)(x, training=True)
    np.testing.assert_array_equal(a, b)


def test_expected_keep_fraction():
    y = keras.layers.Dropout(0.3, seed=8)(np.ones((100, 1000), "float32"), training=True)
    assert abs((y != 0).mean() - 0.7) < 0.01


def test_noise_shape_shares_the_mask_over_none_free_dims():
    x = x_data((4, 5, 6))
    y = keras.layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=2)(x, training=True)
    kept = y != 0
    assert (kept == kept[:, :1, :]).all()


def _masked_regression(seed, rate, n=32):
    # One sample of ones, a zero kernel: after a step the kernel is non-zero exactly where the
    # dropout mask of that step kept the input (the gradient is masked).
    m = keras.Sequential([keras.Input((n,)), keras.layers.Dropout(rate, seed=seed),
                          keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return m, np.ones((1, n), "float32"), np.ones((1, 1), "float32")


def test_fit_masks_gradients_with_the_step_mask_and_changes_it_each_step():
    m, x, y = _masked_regression(seed=17, rate=0.5)
    m.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    w1 = m.get_weights()[0][:, 0].copy()
    np.testing.assert_array_equal(w1 != 0, keep_mask(17, 0, 32, 0.5))
    m.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    step2 = m.get_weights()[0][:, 0] - w1
    np.testing.assert_array_equal(step2 != 0, keep_mask(17, 1, 32, 0.5))


def test_fit_with_same_seed_is_reproducible():
    ws = []
    for _ in range(2):
        m, x, y = _masked_regression(seed=4, rate=0.3)
        m.fit(np.repeat(x, 8, 0), np.repeat(y, 8, 0), epochs=2, batch_size=2, shuffle=False, verbose=0)
        ws.append(m.get_weights()[0])
    np.testing.assert_array_equal(ws[0], ws[1])


def test_predict_and_evaluate_do_not_drop():
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dropout(0.9, seed=1)])
    x = x_data((5, 6))
    np.testing.assert_array_equal(m.predict(x, verbose=0), x)


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5"])
def test_invalid_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        keras.layers.Dropout(rate)


def test_invalid_noise_shape():
    with pytest.raises(ValueError, match="noise_shape"):
        keras.layers.Dropout(0.5, noise_shape=(None, 0))


def test_get_config():
    cfg = keras.layers.Dropout(0.2, noise_shape=(None, 1), seed=3, name="d").get_config()
    assert cfg["rate"] == 0.2 and cfg["seed"] == 3 and cfg["noise_shape"] == (None, 1) and cfg["name"] == "d"
    assert keras.layers.Dropout.from_config(cfg).rate == 0.2
