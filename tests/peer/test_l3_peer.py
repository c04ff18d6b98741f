"""Initializers, regularizers and constraints against real Keras 3 (JAX): initializer bounds and
spreads for several shapes, penalty and projection values on the same weights, configs, and a
full fit with regularizers and constraints from the same initial weights (1e-5)."""

import numpy as np
import pytest

import pykerascore as pk

SHAPES = [(300, 200), (50, 900), (3, 3, 32, 64)]
UNIFORM = ["glorot_uniform", "he_uniform", "lecun_uniform"]
NORMAL = ["glorot_normal", "he_normal", "lecun_normal"]


def _draw(module, name, shape):
    init = module.initializers.get({"class_name": name, "config": {"seed": 7}})
    return np.asarray(init(shape), dtype="float64")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNIFORM)
def test_uniform_initializer_bounds_match_keras(real_keras, name, shape):
    ours, theirs = _draw(pk, name, shape), _draw(real_keras, name, shape)
    # Same limit: both samples' extremes sit just inside it and agree to 0.5%.
    np.testing.assert_allclose(np.abs(ours).max(), np.abs(theirs).max(), rtol=5e-3)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=2e-2)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NORMAL)
def test_truncated_normal_initializers_match_keras(real_keras, name, shape):
    ours, theirs = _draw(pk, name, shape), _draw(real_keras, name, shape)
    np.testing.assert_allclose(np.abs(ours).max(), np.abs(theirs).max(), rtol=2e-2)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=2e-2)


# (Identity is left out: Keras's Identity.get_config drops `gain`; ours keeps it.)
@pytest.mark.parametrize("name", ["random_normal", "random_uniform", "truncated_normal", "zeros", "ones", "orthogonal",
                                  "uniform", "normal", "variance_scaling", "he_uniform"])
def test_initializer_configs_match_keras(real_keras, name):
    ours = pk.initializers.serialize(pk.initializers.get(name))
    theirs = real_keras.initializers.serialize(real_keras.initializers.get(name))
    assert ours == theirs


W = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")

REGULARIZERS = {
    "l1": lambda k: k.regularizers.L1(0.03),
    "l2": lambda k: k.regularizers.L2(0.07),
    "l1l2": lambda k: k.regularizers.L1L2(0.01, 0.02),
    "orthogonal_rows": lambda k: k.regularizers.OrthogonalRegularizer(0.3, "rows"),
    "orthogonal_columns": lambda k: k.regularizers.OrthogonalRegularizer(0.3, "columns"),
}


@pytest.mark.parametrize("name", sorted(REGULARIZERS))
def test_regularizer_values_match_keras(real_keras, name):
    ours = REGULARIZERS[name](pk)(W)
    theirs = REGULARIZERS[name](real_keras)(real_keras.ops.convert_to_tensor(W))  # (its NumPy path differs)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5)
    assert pk.regularizers.serialize(REGULARIZERS[name](pk)) == real_keras.regularizers.serialize(
        REGULARIZERS[name](real_keras))


CONSTRAINTS = {
    "max_norm": lambda k: k.constraints.MaxNorm(1.2),
    "max_norm_axis1": lambda k: k.constraints.MaxNorm(0.9, axis=1),
    "non_neg": lambda k: k.constraints.NonNeg(),
    "unit_norm": lambda k: k.constraints.UnitNorm(),
    "min_max_norm": lambda k: k.constraints.MinMaxNorm(0.5, 1.5, rate=0.6, axis=1),
}


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_constraint_values_match_keras(real_keras, name):
    np.testing.assert_allclose(np.asarray(CONSTRAINTS[name](pk)(W)),
                               np.asarray(CONSTRAINTS[name](real_keras)(real_keras.ops.convert_to_tensor(W))),
                               rtol=1e-6, atol=1e-7)
    assert pk.constraints.serialize(CONSTRAINTS[name](pk)) == real_keras.constraints.serialize(
        CONSTRAINTS[name](real_keras))


def _model(k):
    return k.Sequential([
        k.Input((6,)),
        k.layers.Dense(8, activation="tanh", kernel_regularizer=k.regularizers.L2(0.01),
                       bias_regularizer=k.regularizers.L1(0.02), activity_regularizer=k.regularizers.L2(0.005),
                       kernel_constraint=k.constraints.MaxNorm(0.8)),
        k.layers.LayerNormalization(gamma_regularizer=k.regularizers.L1L2(0.01, 0.01),
                                    gamma_constraint=k.constraints.NonNeg()),
        k.layers.Dense(3, kernel_constraint=k.constraints.UnitNorm(axis=0),
                       bias_constraint=k.constraints.MinMaxNorm(0.1, 0.5, rate=0.5)),
    ])


def test_fit_with_regularizers_and_constraints_matches_keras(real_keras):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = rng.normal(size=(48, 3)).astype("float32")
    ours, theirs = _model(pk), _model(real_keras)
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=pk.optimizers.SGD(0.2, momentum=0.5), loss="mse")
    theirs.compile(optimizer=real_keras.optimizers.SGD(0.2, momentum=0.5), loss="mse")
    h1 = ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=16, verbose=0),
                               theirs.evaluate(x, y, batch_size=16, verbose=0), rtol=1e-5)


def test_dense_config_matches_keras(real_keras):
    def make(k):
        return k.layers.Dense(3, kernel_initializer="he_normal", kernel_regularizer="l2", bias_regularizer="l1",
                              activity_regularizer="l1l2", kernel_constraint="max_norm", bias_constraint="non_neg")

    ours, theirs = make(pk).get_config(), make(real_keras).get_config()
    for key in ("kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                "activity_regularizer", "kernel_constraint", "bias_constraint"):
        assert ours[key] == theirs[key], key
