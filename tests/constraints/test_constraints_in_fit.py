"""Constraints applied natively after every optimizer update (Keras: variable.assign(
constraint(variable)) after each apply), checked against NumPy: one SGD step, then the
projection, on kernels, biases, embeddings and normalization gammas."""

import numpy as np
import pytest

import pykerascore as pk
from pykerascore import constraints as C

from .refs import max_norm_ref, min_max_norm_ref, unit_norm_ref


def _model(**dense_kwargs):
    model = pk.Sequential([pk.Input((3,)), pk.layers.Dense(4, **dense_kwargs)])
    rng = np.random.default_rng(3)
    model.layers[0].set_weights([rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(4,)).astype("float32")])
    return model


def _data():
    rng = np.random.default_rng(4)
    return rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 4)).astype("float32")


def _sgd_step(w, b, x, y, lr):
    d = 2 * (x @ w + b - y) / y.size
    return w - lr * x.T @ d, b - lr * d.sum(axis=0)


def _fit_one_step(model, lr=0.5):
    x, y = _data()
    w, b = [a.astype("float64") for a in model.get_weights()]
    model.compile(optimizer=pk.optimizers.SGD(lr), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    return _sgd_step(w, b, x.astype("float64"), y.astype("float64"), lr)


CASES = [
    ("max_norm", lambda: C.MaxNorm(1.0), lambda w: max_norm_ref(w, 1.0, 0)),
    ("max_norm_axis1", lambda: C.MaxNorm(0.8, axis=1), lambda w: max_norm_ref(w, 0.8, 1)),
    ("non_neg", lambda: C.NonNeg(), lambda w: np.maximum(w, 0)),
    ("unit_norm", lambda: C.UnitNorm(), lambda w: unit_norm_ref(w, 0)),
    ("unit_norm_all", lambda: C.UnitNorm(axis=None), lambda w: unit_norm_ref(w, None)),
    ("min_max_norm", lambda: C.MinMaxNorm(1.0, 1.5, rate=0.5), lambda w: min_max_norm_ref(w, 1.0, 1.5, 0.5, 0)),
]


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_kernel_constraint_after_one_step(name, make, ref):
    model = _model(kernel_constraint=make())
    w1, b1 = _fit_one_step(model)
    np.testing.assert_allclose(model.get_weights()[0], ref(w1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b1, rtol=1e-5, atol=1e-6)


def test_bias_constraint_by_name():
    model = _model(bias_constraint="non_neg")
    w1, b1 = _fit_one_step(model)
    np.testing.assert_allclose(model.get_weights()[1], np.maximum(b1, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], w1, rtol=1e-5, atol=1e-6)


def test_constraint_holds_after_many_steps():
    model = _model(kernel_constraint=C.MaxNorm(0.5))
    x, y = _data()
    model.compile(optimizer=pk.optimizers.SGD(0.3), loss="mse")
    model.fit(x, y, batch_size=2, epochs=3, shuffle=False, verbose=0)
    assert np.sqrt((model.get_weights()[0] ** 2).sum(axis=0)).max() <= 0.5 + 1e-6


def test_embedding_constraint():
    model = pk.Sequential([pk.Input((2,), dtype="int32"),
                           pk.layers.Embedding(5, 3, embeddings_constraint=C.UnitNorm(axis=1)),
                           pk.layers.Flatten(), pk.layers.Dense(1)])
    model.compile(optimizer=pk.optimizers.SGD(0.1), loss="mse")
    x = np.array([[0, 1], [2, 3]], dtype="int32")
    model.fit(x, np.ones((2, 1), "float32"), batch_size=2, epochs=1, verbose=0)
    np.testing.assert_allclose(np.linalg.norm(model.layers[0].get_weights()[0], axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("cls", ["BatchNormalization", "LayerNormalization"])
def test_normalization_gamma_constraint(cls):
    model = pk.Sequential([pk.Input((3,)), getattr(pk.layers, cls)(gamma_constraint="non_neg",
                                                                    gamma_initializer=pk.initializers.Constant(0.01)),
                           pk.layers.Dense(1)])
    model.compile(optimizer=pk.optimizers.SGD(5.0), loss="mse")
    x, y = _data()
    model.fit(x, y[:, :1] * 100, batch_size=8, epochs=3, verbose=0)
    assert (model.layers[0].gamma.numpy() >= 0).all()


def test_constraint_is_applied_on_accumulation_steps_too():
    # Keras applies constraints after every optimizer.apply, even when only accumulating.
    model = _model(kernel_constraint=C.MaxNorm(0.1))
    w0 = model.get_weights()[0].astype("float64")
    x, y = _data()
    model.compile(optimizer=pk.optimizers.SGD(0.1, gradient_accumulation_steps=2), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.get_weights()[0], max_norm_ref(w0, 0.1, 0), rtol=1e-5, atol=1e-7)


def test_custom_constraint_in_fit_raises():
    class Halve(C.Constraint):
        def __call__(self, w):
            return w * 0.5

    model = _model(kernel_constraint=Halve())
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="supports only MaxNorm, NonNeg, UnitNorm and MinMaxNorm"):
        model.fit(*_data(), verbose=0)


def test_bad_axis_raises_before_training():
    model = _model(kernel_constraint=C.MaxNorm(1.0, axis=3))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="out of bounds"):
        model.fit(*_data(), verbose=0)
