"""Multi-output compile vs real Keras 3 (JAX): a functional 2-input / 2-output model compiled
identically (loss dict, loss_weights, metrics dict, weighted_metrics, sample_weight) gives the
same History, evaluate() and predictions; class_weight (D12, refused by Keras for multi-output)
matches Keras given the equivalent per-output sample weights."""

import numpy as np
import pytest

import pykerascore as pk

N = 96


def _model(k):
    a = k.Input((5,), name="in_a")
    b = k.Input((3,), name="in_b")
    h = k.layers.Concatenate()([a, b])
    h = k.layers.Dense(8, activation="tanh", name="hidden")(h)
    out_a = k.layers.Dense(3, activation="softmax", name="out_a")(h)
    out_b = k.layers.Dense(1, name="out_b")(h)
    return k.Model([a, b], [out_a, out_b])


def _data():
    r = np.random.default_rng(1)
    xa = r.normal(size=(N, 5)).astype("float32")
    xb = r.normal(size=(N, 3)).astype("float32")
    ya = r.integers(0, 3, size=(N,)).astype("float32")
    yb = r.normal(size=(N, 1)).astype("float32")
    sw = r.uniform(0.2, 2.0, size=(N,)).astype("float32")
    return [xa, xb], [ya, yb], sw  # Keras 3.15 fails on dict targets with one shared sample_weight


def _pair(real_keras, **compile_kwargs):
    ours, theirs = _model(pk), _model(real_keras)
    theirs.set_weights([w.astype("float32") for w in ours.get_weights()])
    for m, k in ((ours, pk), (theirs, real_keras)):
        m.compile(optimizer=k.optimizers.SGD(0.05), **compile_kwargs)
    return ours, theirs


COMPILE = dict(
    loss={"out_a": "sparse_categorical_crossentropy", "out_b": "mse"},
    loss_weights={"out_a": 1.0, "out_b": 0.3},
    metrics={"out_a": ["accuracy"], "out_b": ["mae"]},
    weighted_metrics={"out_a": ["accuracy"], "out_b": ["mse"]},
)


def _close(a, b, what):
    np.testing.assert_allclose(np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64"), rtol=1e-5, atol=1e-5,
                               err_msg=what)


def test_history_matches_keras(real_keras):
    x, y, sw = _data()
    ours, theirs = _pair(real_keras, **COMPILE)
    h1 = ours.fit(x, y, sample_weight=sw, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    h2 = theirs.fit(x, y, sample_weight=sw, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    assert set(h1) == set(h2)
    for key in h2:
        _close(h1[key], h2[key], key)


def test_evaluate_return_dict_matches_keras(real_keras):
    x, y, sw = _data()
    ours, theirs = _pair(real_keras, **COMPILE)
    ours.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    theirs.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    r1 = ours.evaluate(x, y, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    r2 = theirs.evaluate(x, y, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    assert set(r1) == set(r2)
    for key in r2:
        _close(r1[key], r2[key], key)


def test_predictions_match_keras_after_fit(real_keras):
    x, y, sw = _data()
    ours, theirs = _pair(real_keras, **COMPILE)
    ours.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    theirs.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for p1, p2 in zip(ours.predict(x, verbose=0), theirs.predict(x, verbose=0)):
        _close(p1, p2, "predict")


def test_loss_list_and_list_targets_match_keras(real_keras):
    x, y, _ = _data()
    kwargs = dict(loss=["sparse_categorical_crossentropy", "mae"], loss_weights=[0.5, 2.0],
                  metrics=[["acc"], ["mse", "mae"]])
    ours, theirs = _pair(real_keras, **kwargs)
    ys = y
    h1 = ours.fit(x, ys, batch_size=32, epochs=2, shuffle=False, verbose=0).history
    h2 = theirs.fit(x, ys, batch_size=32, epochs=2, shuffle=False, verbose=0).history
    assert set(h1) == set(h2)
    for key in h2:
        _close(h1[key], h2[key], key)


def _keras_class_weights(y, table):
    from keras.src.trainers.data_adapters.data_adapter_utils import class_weight_to_sample_weights

    return class_weight_to_sample_weights(y, table).astype("float32")


def test_per_output_class_weight_matches_keras_sample_weight(real_keras):
    x, y, _ = _data()
    y = {"out_a": y[0], "out_b": (y[1] > 0).astype("float32")}
    kwargs = dict(loss={"out_a": "sparse_categorical_crossentropy", "out_b": "mse"},
                  weighted_metrics={"out_a": ["accuracy"], "out_b": ["accuracy"]})
    ours, theirs = _model(pk), _model(real_keras)
    theirs.set_weights([w.astype("float32") for w in ours.get_weights()])
    ours.compile(optimizer=pk.optimizers.SGD(0.05), **kwargs)
    theirs.compile(optimizer=real_keras.optimizers.SGD(0.05), **kwargs)
    cw = {"out_a": {0: 2.0, 2: 0.5}, "out_b": {1: 3.0}}
    sw = [_keras_class_weights(y[name], cw[name]) for name in ("out_a", "out_b")]
    h1 = ours.fit(x, y, class_weight=cw, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    ys = [y["out_a"], y["out_b"]]  # Keras 3.15 fails on dict targets with per-output sample weights
    h2 = theirs.fit(x, ys, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    assert set(h1) == set(h2)
    for key in h2:
        _close(h1[key], h2[key], key)
