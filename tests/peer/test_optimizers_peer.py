"""Same model, weights and data through pykerascore and real Keras 3 (JAX) with each optimizer
string, rule options, base options and schedules: weights agree after several steps (1e-5).
Shuffling is off so both see the same batches."""

import numpy as np
import pytest

import pykerascore as pk


def _build(k):
    return k.Sequential([k.Input((6,)), k.layers.Dense(8, activation="relu"), k.layers.Dense(2)])


def _data():
    r = np.random.default_rng(0)
    x = r.normal(size=(64, 6)).astype("float32")
    y = np.stack([x[:, 0] - 2 * x[:, 1], np.abs(x[:, 2])], axis=1).astype("float32")
    return x, y


def _compare(real_keras, make_optimizer, epochs=2, batch_size=16, finalize=False):
    x, y = _data()
    ours, theirs = _build(pk), _build(real_keras)
    theirs.set_weights([w.astype("float32") for w in ours.get_weights()])
    ours.compile(optimizer=make_optimizer(pk), loss="mse")
    theirs.compile(optimizer=make_optimizer(real_keras), loss="mse")
    ours.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    theirs.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    if finalize:  # what Keras's fit does at the end; our trainer is to call it too
        ours.optimizer.finalize_variable_values(ours.trainable_weights)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-5)
    assert ours.optimizer.iterations == int(theirs.optimizer.iterations)


NAMES = ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion"]


@pytest.mark.parametrize("name", NAMES)
def test_optimizer_string_matches_keras(real_keras, name):
    _compare(real_keras, lambda k: name, epochs=3)


CONFIGS = {
    "sgd_momentum": lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.8, nesterov=True),
    "rmsprop_centered_momentum": lambda k: k.optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5,
                                                                 centered=True),
    "adam_amsgrad": lambda k: k.optimizers.Adam(learning_rate=0.02, beta_1=0.8, amsgrad=True),
    "adamw": lambda k: k.optimizers.AdamW(learning_rate=0.02, weight_decay=0.1),
    "adagrad": lambda k: k.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.3),
    "adadelta": lambda k: k.optimizers.Adadelta(learning_rate=1.0, rho=0.9),
    "adamax": lambda k: k.optimizers.Adamax(learning_rate=0.02),
    "nadam": lambda k: k.optimizers.Nadam(learning_rate=0.02, beta_1=0.85),
    "ftrl": lambda k: k.optimizers.Ftrl(learning_rate=0.1, learning_rate_power=-0.6, l1_regularization_strength=0.01,
                                        l2_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.02,
                                        beta=0.1),
    "lion": lambda k: k.optimizers.Lion(learning_rate=0.005, beta_1=0.8, beta_2=0.95),
    "clipnorm": lambda k: k.optimizers.SGD(learning_rate=0.1, momentum=0.5, clipnorm=0.5),
    "clipvalue": lambda k: k.optimizers.Adam(learning_rate=0.02, clipvalue=0.05),
    "global_clipnorm": lambda k: k.optimizers.RMSprop(learning_rate=0.01, global_clipnorm=0.3),
    "weight_decay": lambda k: k.optimizers.SGD(learning_rate=0.1, weight_decay=0.2),
    "accumulation": lambda k: k.optimizers.Adam(learning_rate=0.02, gradient_accumulation_steps=3),
    "ema_overwrite": lambda k: k.optimizers.Adam(learning_rate=0.02, use_ema=True, ema_momentum=0.9,
                                                 ema_overwrite_frequency=3),
    "nadam_accumulation": lambda k: k.optimizers.Nadam(learning_rate=0.02, gradient_accumulation_steps=2),
    "accumulation_ema": lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.9, gradient_accumulation_steps=2,
                                                   use_ema=True, ema_momentum=0.7, ema_overwrite_frequency=2),
    "exponential_decay": lambda k: k.optimizers.SGD(
        learning_rate=k.optimizers.schedules.ExponentialDecay(0.1, 3, 0.5), momentum=0.5),
    "piecewise": lambda k: k.optimizers.Adam(
        learning_rate=k.optimizers.schedules.PiecewiseConstantDecay([2, 5], [0.05, 0.02, 0.005])),
    "polynomial_cycle": lambda k: k.optimizers.SGD(
        learning_rate=k.optimizers.schedules.PolynomialDecay(0.1, 3, power=2.0, cycle=True)),
    "inverse_time": lambda k: k.optimizers.RMSprop(
        learning_rate=k.optimizers.schedules.InverseTimeDecay(0.01, 2, 0.5, staircase=True)),
    "cosine_warmup": lambda k: k.optimizers.Adam(
        learning_rate=k.optimizers.schedules.CosineDecay(0.0, 6, alpha=0.1, warmup_target=0.05, warmup_steps=3)),
    "cosine_restarts": lambda k: k.optimizers.SGD(
        learning_rate=k.optimizers.schedules.CosineDecayRestarts(0.1, 2, t_mul=1.5, m_mul=0.7)),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimizer_config_matches_keras(real_keras, name):
    _compare(real_keras, CONFIGS[name], epochs=3)


def test_ema_with_finalize_matches_keras(real_keras):
    _compare(real_keras, lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.9, use_ema=True, ema_momentum=0.8),
             finalize=True)
