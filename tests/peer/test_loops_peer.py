"""fit's data arguments and *_on_batch against real Keras 3 (JAX) on the same weights and data:
same History and return values (1e-5). Shuffling is off so both see the same batches."""

import numpy as np
import pytest

import pykerascore as pk

R = np.random.default_rng(7)
X = R.normal(size=(96, 6)).astype("float32")
Y = R.integers(0, 3, size=96)
SW = R.uniform(0.2, 1.0, size=96).astype("float32")


def _pair(k, opt="adam"):
    def build(lib):
        return lib.Sequential([lib.Input((6,)), lib.layers.Dense(8, activation="relu"),
                               lib.layers.Dense(3, activation="softmax")])

    pk.utils.set_random_seed(0)
    ours, theirs = build(pk), build(k)
    theirs.set_weights([w.astype("float32") for w in ours.get_weights()])
    for m in (ours, theirs):
        m.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return ours, theirs


def _same_history(h1, h2):
    assert list(h1.history) == list(h2.history) or set(h1.history) == set(h2.history)
    assert h1.epoch == h2.epoch
    for key in h2.history:
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-5, atol=1e-5, err_msg=key)


def _same_weights(a, b):
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, np.asarray(v), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    dict(validation_split=0.25),
    dict(validation_data=(X[:30], Y[:30])),
    dict(validation_data=(X[:30], Y[:30], SW[:30])),
    dict(validation_data=(X[:30], Y[:30]), validation_freq=2),
    dict(validation_data=(X[:30], Y[:30]), validation_freq=[1, 3]),
    dict(validation_data=(X, Y), validation_batch_size=10, validation_steps=2),
    dict(initial_epoch=1),
    dict(steps_per_epoch=2),
    dict(steps_per_epoch=5),
    dict(sample_weight=SW),
], ids=lambda kw: ",".join(kw))
def test_fit_arguments_match_keras(real_keras, kwargs):
    ours, theirs = _pair(real_keras)
    h1 = ours.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0, **kwargs)
    h2 = theirs.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0, **kwargs)
    _same_history(h1, h2)
    _same_weights(ours, theirs)


def test_on_batch_return_values_match_keras(real_keras):
    ours, theirs = _pair(real_keras)
    for i in range(3):
        sl = slice(16 * i, 16 * (i + 1))
        a = ours.train_on_batch(X[sl], Y[sl], sample_weight=SW[sl])
        b = theirs.train_on_batch(X[sl], Y[sl], sample_weight=SW[sl])
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.test_on_batch(X[:20], Y[:20]), theirs.test_on_batch(X[:20], Y[:20]),
                               rtol=1e-5, atol=1e-6)
    d1 = ours.test_on_batch(X[20:50], Y[20:50], return_dict=True)
    d2 = theirs.test_on_batch(X[20:50], Y[20:50], return_dict=True)
    assert set(d1) == set(d2)
    for key in d2:
        np.testing.assert_allclose(d1[key], d2[key], rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours.predict_on_batch(X[:9]), np.asarray(theirs.predict_on_batch(X[:9])),
                               rtol=1e-5, atol=1e-6)
    _same_weights(ours, theirs)


def test_evaluate_return_dict_and_steps_match_keras(real_keras):
    ours, theirs = _pair(real_keras)
    d1 = ours.evaluate(X, Y, batch_size=16, steps=3, return_dict=True, verbose=0)
    d2 = theirs.evaluate(X, Y, batch_size=16, steps=3, return_dict=True, verbose=0)
    for key in d2:
        np.testing.assert_allclose(d1[key], d2[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_steps_per_epoch_without_batch_size_matches_keras(real_keras):
    ours, theirs = _pair(real_keras, opt="sgd")
    h1 = ours.fit(X, Y, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)
    h2 = theirs.fit(X, Y, epochs=2, steps_per_epoch=3, shuffle=False, verbose=0)
    _same_history(h1, h2)
    _same_weights(ours, theirs)
