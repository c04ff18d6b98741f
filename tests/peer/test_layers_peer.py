"""L1 layers vs real Keras 3 (JAX backend) on the same weights and data: forward (predict, and
the training-mode loss of each step) and gradients (the weights after SGD steps), plus
BatchNormalization's moving statistics. Skipped when Keras is not installed."""

import numpy as np
import pytest

import pykerascore as pk


def _dense_in(k, inp, units):
    return k.layers.Dense(units, activation="tanh")(inp)


def bn_model(k):
    inp = k.Input((4,))
    h = k.layers.BatchNormalization(momentum=0.9)(_dense_in(k, inp, 3))
    return k.Model(inp, k.layers.Dense(1)(h))


def bn_axis1_model(k):
    inp = k.Input((3, 5))
    h = k.layers.BatchNormalization(axis=1, center=False)(inp)
    return k.Model(inp, k.layers.Dense(1)(k.layers.Flatten()(h)))


def ln_model(k):
    inp = k.Input((4,))
    h = k.layers.LayerNormalization()(_dense_in(k, inp, 5))
    return k.Model(inp, k.layers.Dense(1)(h))


def ln_two_axes_model(k):
    inp = k.Input((6,))
    h = k.layers.Reshape((2, 3))(_dense_in(k, inp, 6))
    h = k.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5)(h)
    return k.Model(inp, k.layers.Dense(1)(k.layers.Flatten()(h)))


def embedding_model(k):
    inp = k.Input((3,), dtype="int32")
    h = k.layers.Flatten()(k.layers.Embedding(10, 4)(inp))
    return k.Model(inp, k.layers.Dense(1)(k.layers.Activation("tanh")(h)))


def merge_model(name):
    def build(k):
        a, b = k.Input((4,)), k.Input((4,))
        h = getattr(k.layers, name)()([_dense_in(k, a, 3), _dense_in(k, b, 3)])
        return k.Model([a, b], k.layers.Dense(1)(h))
    return build


CASES = {
    "batch_norm": bn_model,
    "batch_norm_axis1": bn_axis1_model,
    "layer_norm": ln_model,
    "layer_norm_two_axes": ln_two_axes_model,
    "embedding": embedding_model,
    **{name.lower(): merge_model(name) for name in
       ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]},
}


def _data(case, n=32):
    r = np.random.default_rng(0)
    if case == "embedding":
        x = r.integers(0, 10, size=(n, 3)).astype("int32")
    elif case == "batch_norm_axis1":
        x = r.normal(size=(n, 3, 5)).astype("float32") * 2 + 1
    elif case in ("batch_norm", "layer_norm", "layer_norm_two_axes"):
        x = r.normal(size=(n, 4 if case != "layer_norm_two_axes" else 6)).astype("float32") * 2 + 1
    else:
        x = [r.normal(size=(n, 4)).astype("float32") for _ in range(2)]
    y = r.normal(size=(n, 1)).astype("float32")
    return x, y


def _copy_weights(ours, theirs):
    # Layer by layer: both order a layer's own weights trainable first (gamma, beta, moving stats).
    for lo, lt in zip([l for l in ours.layers if l.weights], [l for l in theirs.layers if l.weights]):
        lt.set_weights([w.astype("float32") for w in lo.get_weights()])


@pytest.mark.parametrize("case", list(CASES))
def test_layer_matches_keras(real_keras, case):
    ours, theirs = CASES[case](pk), CASES[case](real_keras)
    _copy_weights(ours, theirs)
    x, y = _data(case)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6,
                               err_msg="forward (inference)")
    ours.compile(optimizer=pk.optimizers.SGD(learning_rate=0.1), loss="mse")
    theirs.compile(optimizer=real_keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    h1 = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5, atol=1e-6, err_msg="training loss")
    for lo, lt in zip([l for l in ours.layers if l.weights], [l for l in theirs.layers if l.weights]):
        for a, b, v in zip(lo.get_weights(), lt.get_weights(), lt.weights):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5, err_msg=f"{lo.name}/{v.name} after fit")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-5,
                               err_msg="forward after fit")


def test_batch_norm_training_call_matches_keras(real_keras):
    x = np.random.default_rng(1).normal(size=(16, 3)).astype("float32") * 3 + 2
    ours, theirs = pk.layers.BatchNormalization(momentum=0.7), real_keras.layers.BatchNormalization(momentum=0.7)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x, training=True), np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-6, atol=1e-7)


def test_dropout_statistics_match_keras_scaling(real_keras):
    # Masks differ (different RNGs); the kept values' scale and the identity outside training match.
    x = np.ones((200, 100), "float32")
    ours = pk.layers.Dropout(0.4, seed=1)(x, training=True)
    theirs = np.asarray(real_keras.layers.Dropout(0.4, seed=1)(x, training=True))
    np.testing.assert_allclose(np.unique(ours[ours != 0]), np.unique(theirs[theirs != 0]), rtol=1e-7)
    assert abs((ours != 0).mean() - (theirs != 0).mean()) < 0.01
