"""Optimizer state: `optimizer.variables` / `iterations` / `learning_rate` / `built` as views
of the native state, and its place in `.weights.h5` (written, read back, all-or-nothing)."""

import h5py
import numpy as np
import pytest

import pykerascore as keras
from pykerascore.saving import weights_h5

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype("float32")
Y = RNG.normal(size=(32, 2)).astype("float32")


def _model(optimizer="adam"):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
    m.compile(optimizer, "mse")
    return m


def _fit(m, epochs=1):
    m.fit(X, Y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)


def _group(path, name="optimizer/vars"):
    with h5py.File(path, "r") as f:
        if name not in f:
            return None
        g = f[name]
        return dict(g.attrs), {k: np.asarray(g[k][()]) for k in g}


# ---------------------------------------------------------------------- variables as views
def test_not_built_before_the_first_step_and_built_after():
    m = _model()
    assert not m.optimizer.built
    assert [v.name for v in m.optimizer.variables] == ["iteration", "learning_rate"]
    _fit(m)
    assert m.optimizer.built


def test_adam_variables_in_keras_order():
    m = _model()
    _fit(m)
    names = [v.path for v in m.optimizer.variables]
    d0, d1 = (layer.name for layer in m.layers)
    assert names == ["adam/iteration", "adam/learning_rate",
                     f"adam/{d0}_kernel_momentum", f"adam/{d0}_kernel_velocity",
                     f"adam/{d0}_bias_momentum", f"adam/{d0}_bias_velocity",
                     f"adam/{d1}_kernel_momentum", f"adam/{d1}_kernel_velocity",
                     f"adam/{d1}_bias_momentum", f"adam/{d1}_bias_velocity"]


def test_sgd_without_momentum_has_no_slots():
    m = _model(keras.optimizers.SGD())
    _fit(m)
    assert [v.name for v in m.optimizer.variables] == ["iteration", "learning_rate"]


def test_schedule_has_no_learning_rate_variable():
    m = _model(keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5)))
    assert [v.name for v in m.optimizer.variables] == ["iteration"]


def test_views_read_the_current_state():
    m = _model()
    _fit(m)
    momentum = m.optimizer.variables[2]
    before = momentum.numpy()
    _fit(m)
    assert not np.array_equal(momentum.numpy(), before)  # the same object shows the new state
    assert int(m.optimizer.iterations) == 8


def test_assigning_a_view_changes_the_next_update():
    # SGD momentum: m = 0.9 m - lr g; p += m. Same weights and gradients, so after one step the
    # kernels differ by exactly 0.9 x the difference of the momentum assigned.
    a, b = _model(keras.optimizers.SGD(0.1, momentum=0.9)), _model(keras.optimizers.SGD(0.1, momentum=0.9))
    b.set_weights(a.get_weights())
    _fit(a)
    _fit(b)
    old = a.optimizer.variables[2].numpy()  # first kernel's momentum
    b.optimizer.variables[2].assign(np.ones((3, 4)))
    a.train_on_batch(X[:8], Y[:8])
    b.train_on_batch(X[:8], Y[:8])
    diff = b.layers[0].kernel.numpy() - a.layers[0].kernel.numpy()
    np.testing.assert_allclose(diff, 0.9 * (1.0 - old), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(b.layers[1].kernel.numpy(), a.layers[1].kernel.numpy())


def test_iterations_assign_moves_the_schedule():
    opt = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(1.0, 1, 0.5))
    opt.iterations.assign(3)
    assert int(opt.iterations) == 3
    assert float(opt.learning_rate) == pytest.approx(0.125)


def test_learning_rate_variable_assign():
    opt = keras.optimizers.Adam(0.01)
    opt.learning_rate.assign(0.5)
    assert float(opt.learning_rate) == 0.5 and opt.learning_rate.dtype == "float32"


def test_explicit_build_creates_initial_state():
    m = _model(keras.optimizers.Ftrl(initial_accumulator_value=0.3))
    m.optimizer.build(m.trainable_variables)
    accumulators = [v for v in m.optimizer.variables if v.name.endswith("_accumulator")]
    assert len(accumulators) == 4 and all(np.all(v.numpy() == np.float32(0.3)) for v in accumulators)


def test_state_built_before_training_carries_into_training():
    a, b = _model(), _model()
    _fit(a)
    b.set_weights(a.get_weights())
    b.optimizer.build(b.trainable_variables)
    for dst, src in zip(b.optimizer.variables, a.optimizer.variables):
        dst.assign(src.numpy())
    _fit(a)
    _fit(b)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_loss_scale_optimizer_variables():
    m = _model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(momentum=0.5), initial_scale=4.0))
    _fit(m)
    names = [v.name for v in m.optimizer.variables]
    assert names[:6] == ["iteration", "learning_rate", "step_counter", "dynamic_scale", "iteration", "learning_rate"]
    assert float(m.optimizer.variables[3]) == 4.0 and int(m.optimizer.variables[0]) == 0


# ---------------------------------------------------------------------- .weights.h5
def test_file_has_the_optimizer_group(tmp_path):
    m = _model()
    _fit(m)
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    attrs, values = _group(path)
    assert attrs == {"name": "adam"} and len(values) == 10
    assert values["0"].dtype == np.int32 and values["0"] == 4
    assert values["1"].dtype == np.float32 and values["1"] == np.float32(0.001)
    np.testing.assert_array_equal(values["2"], m.optimizer.variables[2].numpy())


def test_unbuilt_optimizer_writes_iteration_and_learning_rate(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _model().save_weights(path)
    assert sorted(_group(path)[1]) == ["0", "1"]


def test_uncompiled_model_writes_no_optimizer(tmp_path):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    assert _group(path) is None


def test_include_optimizer_false(tmp_path):
    m = _model()
    _fit(m)
    path = str(tmp_path / "m.weights.h5")
    weights_h5.save_weights(m, path, include_optimizer=False)
    assert _group(path) is None


def test_loss_scale_optimizer_writes_inner_group(tmp_path):
    m = _model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(momentum=0.5)))
    _fit(m)
    path = str(tmp_path / "m.weights.h5")
    m.save_weights(path)
    assert len(_group(path)[1]) == 4 + 2 + 4
    attrs, inner = _group(path, "optimizer/inner_optimizer/vars")
    assert attrs == {"name": "sgd"} and len(inner) == 6


def test_load_builds_the_optimizer_and_restores_it(tmp_path):
    a = _model()
    _fit(a, epochs=2)
    path = str(tmp_path / "m.weights.h5")
    a.save_weights(path)
    b = _model()
    b.load_weights(path)
    assert b.optimizer.built and int(b.optimizer.iterations) == 8
    for va, vb in zip(a.optimizer.variables, b.optimizer.variables):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())


def test_loaded_run_continues_bit_for_bit(tmp_path):
    a = _model(keras.optimizers.Nadam(0.01))
    _fit(a, epochs=2)
    path = str(tmp_path / "m.weights.h5")
    a.save_weights(path)
    b = _model(keras.optimizers.Nadam(0.01))
    b.load_weights(path)
    _fit(a)
    _fit(b)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_different_optimizer_is_skipped_with_keras_warning(tmp_path):
    a = _model()
    _fit(a)
    path = str(tmp_path / "m.weights.h5")
    a.save_weights(path)
    b = _model(keras.optimizers.SGD(momentum=0.5))
    _fit(b)
    before = [v.numpy() for v in b.optimizer.variables]
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer 'sgd', because it has 6 "
                                         "variables whereas the saved optimizer has 10 variables."):
        b.load_weights(path)
    for v, old in zip(b.optimizer.variables, before):
        np.testing.assert_array_equal(v.numpy(), old)
    np.testing.assert_array_equal(b.layers[0].kernel.numpy(), a.layers[0].kernel.numpy())  # layers still load


def test_file_without_optimizer_warns_for_compiled_model(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)]).save_weights(path)
    with pytest.warns(UserWarning, match="saved optimizer has 0 variables"):
        _model().load_weights(path)


def test_bad_optimizer_shape_assigns_nothing(tmp_path):
    a = _model()
    _fit(a)
    path = str(tmp_path / "m.weights.h5")
    a.save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/2"]
        f["optimizer/vars"].create_dataset("2", data=np.zeros((5, 5), "float32"))
    b = _model()
    kernel = b.layers[0].kernel.numpy()
    with pytest.raises(ValueError, match="shape"):
        b.load_weights(path)
    np.testing.assert_array_equal(b.layers[0].kernel.numpy(), kernel)
    assert int(b.optimizer.iterations) == 0


def test_bad_optimizer_shape_with_skip_mismatch_warns(tmp_path):
    a = _model()
    _fit(a)
    path = str(tmp_path / "m.weights.h5")
    a.save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/2"]
        f["optimizer/vars"].create_dataset("2", data=np.zeros((5, 5), "float32"))
    b = _model()
    with pytest.warns(UserWarning, match="could not be loaded"):
        b.load_weights(path, skip_mismatch=True)
    np.testing.assert_array_equal(b.layers[0].kernel.numpy(), a.layers[0].kernel.numpy())
    assert int(b.optimizer.iterations) == 0
