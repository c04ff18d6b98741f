"""`.weights.h5` interchange with real Keras 3: files written by pykerascore load in Keras with
identical predictions, and the reverse, for Sequential and functional models."""

import numpy as np
import pytest

import pykerascore as pk

RNG = np.random.default_rng(11)


def _seq(lib):
    return lib.Sequential([lib.Input((3,)), lib.layers.Dense(5, activation="relu"),
                           lib.layers.BatchNormalization(), lib.layers.Dense(2)])


def _functional(lib):
    a = lib.Input((3,), name="a")
    b = lib.Input((2,), name="b")
    ha = lib.layers.Dense(4, activation="tanh")(a)
    hb = lib.layers.Dense(3)(b)
    x = lib.layers.Concatenate()([ha, hb, b])
    return lib.Model([a, b], [lib.layers.Dense(1)(x), lib.layers.Dense(2)(lib.layers.Dense(3)(x))])


def _randomize(weights):
    for w in weights:
        value = RNG.normal(size=tuple(w.shape)).astype("float32")
        w.assign(np.abs(value) + 0.5 if "variance" in w.name else value)


def _preds(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


CASES = {
    "sequential": (_seq, lambda: RNG.normal(size=(7, 3)).astype("float32")),
    "functional": (_functional, lambda: [RNG.normal(size=(7, 3)).astype("float32"),
                                         RNG.normal(size=(7, 2)).astype("float32")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pykerascore_file_loads_in_keras(real_keras, tmp_path, case):
    make, data = CASES[case]
    ours = make(pk)
    _randomize(ours.weights)
    path = str(tmp_path / "ours.weights.h5")
    ours.save_weights(path)
    theirs = make(real_keras)
    theirs.load_weights(path)
    x = data()
    for a, b in zip(_preds(ours, x), _preds(theirs, x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_file_loads_in_pykerascore(real_keras, tmp_path, case):
    make, data = CASES[case]
    theirs = make(real_keras)
    _randomize(theirs.weights)
    path = str(tmp_path / "theirs.weights.h5")
    theirs.save_weights(path)
    ours = make(pk)
    ours.load_weights(path)
    x = data()
    for a, b in zip(_preds(theirs, x), _preds(ours, x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _subclassed(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__()
            self.encoder = lib.layers.Dense(4, activation="relu")
            self.norm = lib.layers.BatchNormalization()
            self.head = lib.layers.Dense(2)

        def call(self, x, training=False):
            return self.head(self.norm(self.encoder(x), training=training))

    net = Net()
    net(np.zeros((1, 3), "float32"))  # Keras's build() alone would not create the sublayers' state
    return net


def test_subclassed_round_trips_both_ways(real_keras, tmp_path):
    x = RNG.normal(size=(6, 3)).astype("float32")
    theirs = _subclassed(real_keras)
    _randomize(theirs.weights)
    theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
    ours = _subclassed(pk)
    ours.load_weights(str(tmp_path / "theirs.weights.h5"))
    np.testing.assert_allclose(_preds(ours, x)[0], _preds(theirs, x)[0], rtol=1e-5, atol=1e-6)
    _randomize(ours.weights)
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    theirs.load_weights(str(tmp_path / "ours.weights.h5"))
    np.testing.assert_allclose(_preds(ours, x)[0], _preds(theirs, x)[0], rtol=1e-5, atol=1e-6)
