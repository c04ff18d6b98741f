"""Layer.losses and regularization in training: weight penalties from add_weight(regularizer=),
activity penalties divided by the batch size, both added to the compiled loss in fit/evaluate
(logged loss included) and differentiated, checked against NumPy references."""

import numpy as np
import pytest

import pykerascore as pk
from pykerascore import regularizers as R


def _dense_model(units=2, in_dim=3, **dense_kwargs):
    model = pk.Sequential([pk.Input((in_dim,)), pk.layers.Dense(units, **dense_kwargs)])
    rng = np.random.default_rng(1)
    model.layers[0].set_weights([rng.normal(size=(in_dim, units)).astype("float32"),
                                 rng.normal(size=(units,)).astype("float32")])
    return model


def _data(n=8, in_dim=3, units=2):
    rng = np.random.default_rng(2)
    return rng.normal(size=(n, in_dim)).astype("float32"), rng.normal(size=(n, units)).astype("float32")


def test_keras_docstring_example_weight_plus_activity():
    layer = pk.layers.Dense(5, kernel_initializer="ones", kernel_regularizer=R.L1(0.01),
                            activity_regularizer=R.L2(0.01))
    layer(np.full((5, 5), 2.0, "float32"))
    # kernel: 0.01 * 25 = 0.25; activity: 0.01 * 25 * 10^2 / batch 5 = 5.0
    assert float(sum(np.asarray(v) for v in layer.losses)) == pytest.approx(5.25, rel=1e-6)


def test_weight_penalties_listed_per_regularized_weight():
    model = _dense_model(kernel_regularizer=R.L2(0.1), bias_regularizer=R.L1(0.2))
    kernel, bias = model.layers[0].get_weights()
    losses = [float(v) for v in model.losses]
    np.testing.assert_allclose(losses, [0.1 * np.square(kernel).sum(), np.float32(0.2) * np.abs(bias).sum()], rtol=1e-6)


def test_frozen_layer_has_no_weight_penalty():
    model = _dense_model(kernel_regularizer=R.L2(0.1))
    model.layers[0].trainable = False
    assert model.losses == []


def test_eager_call_replaces_previous_activity_losses():
    layer = pk.layers.Dense(2, activity_regularizer=R.L1(0.5))
    layer(np.ones((4, 3), "float32"))
    layer(np.ones((4, 3), "float32"))
    assert len(layer.losses) == 1


def test_add_loss_inside_call_reaches_the_training_loss():
    class Penalised(pk.layers.Layer):
        def call(self, x):
            self.add_loss(pk.ops.sum(x) * 0.0 + 1.5)
            return x

    model = pk.Sequential([pk.Input((3,)), Penalised(), pk.layers.Dense(2, kernel_initializer="zeros")])
    model.compile(optimizer=pk.optimizers.SGD(0.0), loss="mse")
    x, y = _data()
    logged = model.evaluate(x, y, batch_size=8, verbose=0)
    np.testing.assert_allclose(logged, np.mean(y ** 2) + 1.5, rtol=1e-6)


def _one_step_reference(w, b, x, y, lr, l2_kernel=0.0, l2_activity=0.0):
    pred = x @ w + b
    n, units = y.shape
    loss = np.mean((pred - y) ** 2) + l2_kernel * np.sum(w ** 2) + l2_activity * np.sum(pred ** 2) / n
    d_pred = 2 * (pred - y) / (n * units) + 2 * l2_activity * pred / n
    gw = x.T @ d_pred + 2 * l2_kernel * w
    gb = d_pred.sum(axis=0)
    return loss, w - lr * gw, b - lr * gb


def test_fit_with_kernel_l2_matches_numpy_loss_and_step():
    lam, lr = 0.05, 0.1
    model = _dense_model(kernel_regularizer=R.L2(lam))
    w, b = [a.astype("float64") for a in model.get_weights()]
    x, y = _data()
    model.compile(optimizer=pk.optimizers.SGD(lr), loss="mse")
    hist = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loss, w1, b1 = _one_step_reference(w, b, x.astype("float64"), y.astype("float64"), lr, l2_kernel=lam)
    np.testing.assert_allclose(hist.history["loss"][0], loss, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b1, rtol=1e-5, atol=1e-6)


def test_fit_with_activity_l2_divides_by_batch_size():
    lam, lr = 0.1, 0.1
    model = _dense_model(activity_regularizer=R.L2(lam))
    w, b = [a.astype("float64") for a in model.get_weights()]
    x, y = _data()
    model.compile(optimizer=pk.optimizers.SGD(lr), loss="mse")
    hist = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loss, w1, b1 = _one_step_reference(w, b, x.astype("float64"), y.astype("float64"), lr, l2_activity=lam)
    np.testing.assert_allclose(hist.history["loss"][0], loss, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w1, rtol=1e-5, atol=1e-6)


def test_evaluate_includes_the_penalty():
    lam = 0.2
    model = _dense_model(kernel_regularizer=R.L1(lam))
    w, b = model.get_weights()
    x, y = _data()
    model.compile(optimizer="sgd", loss="mse")
    want = np.mean((x @ w + b - y) ** 2) + np.float32(lam) * np.abs(w).sum()
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), want, rtol=1e-5)


def test_unregularized_model_loss_is_unchanged():
    model = _dense_model()
    w, b = model.get_weights()
    x, y = _data()
    model.compile(optimizer="sgd", loss="mse")
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, verbose=0), np.mean((x @ w + b - y) ** 2), rtol=1e-5)


def test_embedding_regularizer_adds_its_penalty():
    emb = pk.layers.Embedding(5, 3, embeddings_regularizer="l2")
    emb.build()
    np.testing.assert_allclose(float(emb.losses[0]), 0.01 * np.square(emb.get_weights()[0]).sum(), rtol=1e-6)


@pytest.mark.parametrize("cls", ["BatchNormalization", "LayerNormalization"])
def test_normalization_gamma_and_beta_regularizers(cls):
    layer = getattr(pk.layers, cls)(gamma_regularizer=R.L2(0.5), beta_regularizer=R.L1(0.25),
                                    gamma_initializer=pk.initializers.Constant(2.0),
                                    beta_initializer=pk.initializers.Constant(-1.0))
    layer.build((None, 4))
    np.testing.assert_allclose([float(v) for v in layer.losses], [0.5 * 4 * 4.0, 0.25 * 4 * 1.0], rtol=1e-6)
