"""Every built-in loss and metric string, compiled and fitted through pykerascore and real Keras
on the same weights and data (shuffle off): the same History (1e-5). Plus a subclassed model."""

import numpy as np
import pytest

import pykerascore as pk

CATEGORICAL = {"categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
               "kl_divergence", "sparse_categorical_crossentropy"}
LOSSES = ["mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error",
          "mean_squared_logarithmic_error", "binary_crossentropy", "binary_focal_crossentropy", "hinge",
          "squared_hinge", "huber", "log_cosh", "poisson", "cosine_similarity", "categorical_crossentropy",
          "categorical_focal_crossentropy", "categorical_hinge", "kl_divergence", "sparse_categorical_crossentropy"]
METRICS = ["accuracy", "binary_accuracy", "mae", "mse", "mape", "msle", "binary_crossentropy", "auc", "precision",
           "recall", "cosine_similarity", "poisson", "hinge", "squared_hinge", "log_cosh_error",
           "root_mean_squared_error", "r2_score"]


def _data(loss):
    r = np.random.default_rng(0)
    x = r.normal(size=(96, 6)).astype("float32")
    labels = r.integers(0, 3, size=96)
    if loss == "sparse_categorical_crossentropy":
        return x, labels
    if loss in CATEGORICAL:
        return x, np.eye(3, dtype="float32")[labels]
    if loss in ("binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"):
        return x, (r.random((96, 3)) > 0.5).astype("float32")
    return x, r.random((96, 3)).astype("float32") + 0.1


def _model(k, head):
    return k.Sequential([k.Input((6,)), k.layers.Dense(8, activation="tanh"), k.layers.Dense(3, activation=head)])


def _fit_both(real_keras, loss, metrics, head):
    x, y = _data(loss)
    ours, theirs = _model(pk, head), _model(real_keras, head)
    theirs.set_weights(ours.get_weights())
    for m in (ours, theirs):
        m.compile(optimizer="sgd", loss=loss, metrics=metrics)
    h1 = ours.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return h1.history, h2.history


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_string_trains_like_keras(real_keras, loss):
    head = "softmax" if loss in CATEGORICAL else "sigmoid"
    ours, theirs = _fit_both(real_keras, loss, [], head)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_string_logs_like_keras(real_keras, metric):
    ours, theirs = _fit_both(real_keras, "binary_crossentropy", [metric], "sigmoid")
    key = next(k for k in theirs if k != "loss")
    assert key in ours, f"{key} not in {list(ours)}"
    np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-6)


class Tower:
    """The same subclassed model in both libraries."""

    @staticmethod
    def make(k):
        class Net(k.Model):
            def __init__(self):
                super().__init__()
                self.a = k.layers.Dense(8, activation="relu")
                self.b = k.layers.Dense(1)

            def call(self, x, training=False):
                return self.b(self.a(x))

        return Net()


def test_subclassed_model_trains_like_keras(real_keras):
    r = np.random.default_rng(1)
    x = r.normal(size=(80, 5)).astype("float32")
    y = (x @ r.normal(size=(5, 1))).astype("float32")
    ours, theirs = Tower.make(pk), Tower.make(real_keras)
    ours(x[:2])  # builds the sublayers (Keras's build() on a subclassed model may not)
    theirs(x[:2])
    theirs.set_weights(ours.get_weights())
    for m in (ours, theirs):
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    h1 = ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    h2 = theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    for key in ("loss", "mae", "val_loss", "val_mae"):
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
