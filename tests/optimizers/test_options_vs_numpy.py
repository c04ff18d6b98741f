"""Keras base-optimizer options vs the NumPy reference: clipnorm (per variable), clipvalue,
global_clipnorm, decoupled weight decay and its exclusions, gradient accumulation, EMA (with
overwrite and finalize_variable_values), loss_scale_factor, changing hyperparameters and the
learning rate between steps."""

import numpy as np
import pytest
from test_rules_vs_numpy import SHAPES, KerasReference, drive, flat_grads, make_pack

import pykerascore as keras

ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}
SGD_M = {"momentum": 0.9, "nesterov": False}


def _big_grads(step, rng):
    return [rng.normal(size=s) * 5.0 for s in SHAPES]


def test_clipnorm_is_per_variable():
    opt = keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0)
    drive(opt, KerasReference("sgd", {"momentum": 0.0, "nesterov": False}, lr=0.1, clipnorm=1.0), grad_fn=_big_grads)


def test_clipnorm_leaves_small_gradients():
    opt = keras.optimizers.Adam(learning_rate=0.1, clipnorm=100.0)
    drive(opt, KerasReference("adam", ADAM, lr=0.1, clipnorm=100.0))


def test_clipvalue():
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, clipvalue=0.5)
    drive(opt, KerasReference("sgd", SGD_M, lr=0.1, clipvalue=0.5), grad_fn=_big_grads)


def test_global_clipnorm():
    opt = keras.optimizers.RMSprop(learning_rate=0.01, global_clipnorm=2.0)
    hyper = {"rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}
    drive(opt, KerasReference("rmsprop", hyper, lr=0.01, global_clipnorm=2.0), grad_fn=_big_grads)


def test_zero_gradient_with_clipnorm_is_not_nan():
    opt = keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0)
    drive(opt, KerasReference("sgd", {"momentum": 0.0, "nesterov": False}, lr=0.1, clipnorm=1.0),
          grad_fn=lambda step, rng: [np.zeros(s) for s in SHAPES], steps=2)


def test_only_one_clip_option():
    with pytest.raises(ValueError, match="Only one of"):
        keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_applies_before_update_with_lr():
    opt = keras.optimizers.Lion(learning_rate=0.02, weight_decay=0.5)
    drive(opt, KerasReference("lion", {"beta_1": 0.9, "beta_2": 0.99}, lr=0.02, weight_decay=0.5))


def test_adamw_default_weight_decay():
    assert keras.optimizers.AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        keras.optimizers.AdamW(weight_decay=None)


def test_exclude_from_weight_decay_by_variable_and_name():
    names = ["kernel", "bias", "other_bias", "gamma"]
    pack, variables, values = make_pack(0, names=names)
    opt = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.3)

    class _V:  # what pykerascore variables look like to the optimizer
        def __init__(self, native):
            self._native = native

    opt.exclude_from_weight_decay(var_list=[_V(variables[3])], var_names=["bias"])
    ref = KerasReference("adam", ADAM, lr=0.1, weight_decay=0.3, decay_mask=[True, False, False, False])
    rng = np.random.default_rng(5)
    for _ in range(3):
        grads = [rng.normal(size=s) for s in SHAPES]
        opt._native.apply_gradients(pack, flat_grads(pack, grads))
        ref.apply(values, grads)
    for var, want in zip(variables, values):
        np.testing.assert_allclose(var.numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("steps", [2, 3])
def test_gradient_accumulation_adam(steps):
    opt = keras.optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=steps)
    drive(opt, KerasReference("adam", ADAM, lr=0.1, gradient_accumulation_steps=steps), steps=7)
    assert opt.iterations == 7 // steps
    assert opt._native.iterations == 7


def test_gradient_accumulation_with_momentum_clip_and_decay():
    kw = {"gradient_accumulation_steps": 2, "clipnorm": 0.5, "weight_decay": 0.1}
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, **kw)
    drive(opt, KerasReference("sgd", SGD_M, lr=0.1, **kw), steps=6)


def test_gradient_accumulation_steps_must_be_at_least_two():
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        keras.optimizers.SGD(gradient_accumulation_steps=1)


def test_ema_tracks_and_finalize_assigns_average():
    opt = keras.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    ref = KerasReference("sgd", {"momentum": 0.0, "nesterov": False}, lr=0.1, use_ema=True, ema_momentum=0.9)
    pack, variables, values = drive(opt, ref, steps=4)
    for var, ema in zip(variables, ref.slots["ema"]):
        np.testing.assert_allclose(opt._native.moving_average(var), ema, rtol=1e-5, atol=1e-6)

    class _V:
        def __init__(self, native):
            self._native = native

    opt.finalize_variable_values([_V(v) for v in variables])
    for var, ema in zip(variables, ref.slots["ema"]):
        np.testing.assert_allclose(var.numpy(), ema, rtol=1e-5, atol=1e-6)


def test_ema_overwrite_frequency():
    kw = {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2}
    opt = keras.optimizers.Adam(learning_rate=0.1, **kw)
    drive(opt, KerasReference("adam", ADAM, lr=0.1, **kw), steps=5)


def test_ema_with_gradient_accumulation():
    kw = {"use_ema": True, "ema_momentum": 0.8, "gradient_accumulation_steps": 2}
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, **kw)
    drive(opt, KerasReference("sgd", SGD_M, lr=0.1, **kw), steps=6)


def test_finalize_without_ema_changes_nothing():
    opt = keras.optimizers.SGD(learning_rate=0.1)
    pack, variables, values = drive(opt, KerasReference("sgd", {"momentum": 0.0, "nesterov": False}, lr=0.1), steps=2)

    class _V:
        def __init__(self, native):
            self._native = native

    before = [v.numpy() for v in variables]
    opt.finalize_variable_values([_V(v) for v in variables])
    for b, v in zip(before, variables):
        np.testing.assert_array_equal(b, v.numpy())


def test_ema_momentum_range_checked():
    with pytest.raises(ValueError, match="ema_momentum"):
        keras.optimizers.SGD(use_ema=True, ema_momentum=1.5)


def test_loss_scale_factor_unscales_gradients():
    opt = keras.optimizers.Adam(learning_rate=0.1, loss_scale_factor=128.0)
    drive(opt, KerasReference("adam", ADAM, lr=0.1, loss_scale_factor=128.0),
          grad_fn=lambda step, rng: [rng.normal(size=s) * 128.0 for s in SHAPES])
    assert opt.loss_scale == 128.0
    assert opt.scale_loss(2.0) == 256.0


def test_learning_rate_settable_between_steps():
    pack, variables, values = make_pack(1)
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    lrs = [0.1, 0.1, 0.02, 0.3]
    ref = KerasReference("sgd", SGD_M, lr=lambda step: lrs[step])
    rng = np.random.default_rng(2)
    for lr in lrs:
        opt.learning_rate = lr
        assert opt.learning_rate == pytest.approx(lr)
        grads = [rng.normal(size=s) for s in SHAPES]
        opt._native.apply_gradients(pack, flat_grads(pack, grads))
        ref.apply(values, grads)
    for var, want in zip(variables, values):
        np.testing.assert_allclose(var.numpy(), want, rtol=1e-5, atol=1e-6)


def test_hyperparameter_change_reaches_native():
    pack, variables, values = make_pack(3)
    opt = keras.optimizers.Adam(learning_rate=0.1)
    ref = KerasReference("adam", dict(ADAM), lr=0.1)
    rng = np.random.default_rng(4)
    for step in range(4):
        if step == 2:
            opt.beta_1 = 0.5
            ref.h["beta_1"] = 0.5
        grads = [rng.normal(size=s) for s in SHAPES]
        opt._native.apply_gradients(pack, flat_grads(pack, grads))
        ref.apply(values, grads)
    assert opt.get_config()["beta_1"] == 0.5
    for var, want in zip(variables, values):
        np.testing.assert_allclose(var.numpy(), want, rtol=1e-5, atol=1e-6)


def test_unknown_argument_rejected():
    with pytest.raises(ValueError, match="not recognized"):
        keras.optimizers.Adam(beta_3=0.1)


def test_wrong_gradient_size_rejected():
    pack, _, _ = make_pack(0)
    opt = keras.optimizers.SGD()
    with pytest.raises(ValueError, match="gradient must have"):
        opt._native.apply_gradients(pack, np.zeros(3, "float32"))
