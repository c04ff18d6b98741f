"""LossScaleOptimizer vs Keras 3's dynamic loss scaling: gradients divided by the scale, a
non-finite step skipped (scale halves, iterations unchanged), growth after
dynamic_growth_steps finite steps, and what the trainer reads (scale_loss, loss_scale)."""

import numpy as np
import pytest
from test_rules_vs_numpy import SHAPES, KerasReference, flat_grads, make_pack

import pykerascore as keras

ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}


def _run(grads_per_step, initial_scale=8.0, growth=3):
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(learning_rate=0.1), initial_scale=initial_scale,
                                              dynamic_growth_steps=growth)
    ref = KerasReference("adam", ADAM, lr=0.1, dynamic_scale=initial_scale, growth_steps=growth)
    pack, variables, values = make_pack(0)
    scales = []
    for grads in grads_per_step:
        scaled = [g * opt.dynamic_scale for g in grads]  # what backprop of a scaled loss gives
        opt._native.apply_gradients(pack, flat_grads(pack, scaled))
        ref.apply(values, scaled)
        scales.append(opt.dynamic_scale)
        assert opt.dynamic_scale == ref.scale
        for var, want in zip(variables, values):
            np.testing.assert_allclose(var.numpy(), want, rtol=1e-5, atol=1e-6)
    return opt, scales


def _grads(rng, bad=False):
    g = [rng.normal(size=s) for s in SHAPES]
    if bad:
        g[1][0] = np.inf
    return g


def test_finite_steps_unscale_and_grow():
    rng = np.random.default_rng(0)
    opt, scales = _run([_grads(rng) for _ in range(7)])
    assert scales == [8.0, 8.0, 16.0, 16.0, 16.0, 32.0, 32.0]
    assert opt.iterations == 7


def test_non_finite_step_is_skipped_and_halves_scale():
    rng = np.random.default_rng(1)
    opt, scales = _run([_grads(rng), _grads(rng, bad=True), _grads(rng), _grads(rng)])
    assert scales == [8.0, 4.0, 4.0, 4.0]
    assert opt.iterations == 3  # the skipped step does not count
    assert opt.step_counter == 2


def test_nan_gradient_skipped():
    rng = np.random.default_rng(2)
    g = _grads(rng)
    g[0][1, 2] = np.nan
    opt, scales = _run([g])
    assert scales == [4.0] and opt.iterations == 0


def test_trainer_interface():
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.5))
    assert opt.dynamic_scale == 2.0**15 and opt.loss_scale == 2.0**15
    assert opt.scale_loss(2.0) == 2.0**16
    assert opt.learning_rate == pytest.approx(0.5)
    opt.learning_rate = 0.25
    assert opt.inner_optimizer.learning_rate == pytest.approx(0.25)


def test_rejects_base_options_and_static_mode():
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)


def test_config_round_trip():
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(learning_rate=0.01), initial_scale=64.0,
                                              dynamic_growth_steps=10)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert isinstance(again, keras.optimizers.LossScaleOptimizer)
    assert isinstance(again.inner_optimizer, keras.optimizers.Adam)
    assert again.dynamic_scale == 64.0 and again.dynamic_growth_steps == 10
    assert again.learning_rate == pytest.approx(0.01)
