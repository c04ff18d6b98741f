"""Same model, weights and data through pykerascore and real Keras: same History, evaluate and
predict (1e-5). Shuffling is off so both see the same batches."""

import numpy as np
import pytest

import pykerascore as pk


def _build(k, kind):
    if kind == "softmax":
        return k.Sequential([k.Input((16,)), k.layers.Dense(32, activation="relu"), k.layers.Dense(4, activation="softmax")])
    return k.Sequential([k.Input((16,)), k.layers.Dense(32, activation="relu"), k.layers.Dense(1, activation="sigmoid")])


CASES = [
    ("softmax", "sparse_categorical_crossentropy", "adam"),
    ("softmax", "sparse_categorical_crossentropy", "sgd"),
    ("sigmoid", "mse", "adam"),
    ("sigmoid", "mse", "sgd"),
]


@pytest.mark.parametrize("kind,loss,opt", CASES)
def test_fit_evaluate_predict_match_keras(real_keras, kind, loss, opt):
    r = np.random.default_rng(0)
    x = r.normal(size=(300, 16)).astype("float32")
    y = r.integers(0, 4, size=300) if kind == "softmax" else (x[:, :1] > 0).astype("float32")
    ours, theirs = _build(pk, kind), _build(real_keras, kind)
    theirs.set_weights([w.astype("float32") for w in ours.get_weights()])
    for m in (ours, theirs):
        m.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    h1 = ours.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-5, atol=1e-5, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
