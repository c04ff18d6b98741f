"""C6: compile(auto_scale_loss=True) wraps the optimizer in a LossScaleOptimizer under the
"mixed_float16" policy (as Keras), and training then matches the float32 policy's numbers."""

import warnings

import numpy as np
import pytest

import pykerascore as keras


@pytest.fixture
def mixed_float16():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])


def test_layers_take_the_global_policy(mixed_float16):
    layer = keras.layers.Dense(2)
    assert layer.dtype_policy.name == "mixed_float16"
    assert layer.dtype_policy.compute_dtype == "float16" and layer.dtype_policy.variable_dtype == "float32"


def test_auto_scale_loss_wraps_the_optimizer_under_mixed_float16(mixed_float16):
    m = _model()
    m.compile(optimizer="sgd", loss="mse")
    assert isinstance(m.optimizer, keras.optimizers.LossScaleOptimizer)


def test_auto_scale_loss_false_keeps_the_optimizer(mixed_float16):
    m = _model()
    m.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
    assert not isinstance(m.optimizer, keras.optimizers.LossScaleOptimizer)


def test_float32_policy_keeps_the_optimizer():
    m = _model()
    m.compile(optimizer="sgd", loss="mse")
    assert not isinstance(m.optimizer, keras.optimizers.LossScaleOptimizer)


def test_scaled_training_matches_the_float32_numbers(mixed_float16):
    r = np.random.default_rng(0)
    x = r.normal(size=(64, 3)).astype("float32")
    y = x[:, :1] * 2.0
    keras.utils.set_random_seed(1)
    a = _model()
    a.compile(optimizer="sgd", loss="mse")
    keras.utils.set_random_seed(1)
    b = _model()
    b.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
    b.set_weights(a.get_weights())
    for m in (a, b):
        m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="DTypePolicy"):
        keras.mixed_precision.set_global_policy("mixed_float8")
