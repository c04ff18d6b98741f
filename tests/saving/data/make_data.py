"""Regenerates the reference `.weights.h5` files in this folder with REAL Keras 3 (JAX backend):
    KERAS_BACKEND=jax python tests/saving/data/make_data.py
Written with Keras 3.15. The tests load them into the same architectures built with pykerascore
and compare predictions to the saved `*_pred.npy` (computed by Keras on `*_x*.npy`)."""

import os

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(1234)
rng = np.random.default_rng(0)

# Sequential: Input(3) -> Dense(4, relu) -> Dense(2)
seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
x = rng.normal(size=(5, 3)).astype("float32")
seq.save_weights(os.path.join(HERE, "keras_sequential.weights.h5"))
np.save(os.path.join(HERE, "keras_sequential_x.npy"), x)
np.save(os.path.join(HERE, "keras_sequential_pred.npy"), np.asarray(seq.predict(x, verbose=0)))

# Functional, 2 inputs: a(3) -> Dense(4, tanh); concat with b(2) -> Dense(1)
a = keras.Input((3,), name="a")
b = keras.Input((2,), name="b")
h = keras.layers.Dense(4, activation="tanh")(a)
out = keras.layers.Dense(1)(keras.layers.Concatenate()([h, b]))
fn = keras.Model([a, b], out)
xa = rng.normal(size=(5, 3)).astype("float32")
xb = rng.normal(size=(5, 2)).astype("float32")
fn.save_weights(os.path.join(HERE, "keras_functional.weights.h5"))
np.save(os.path.join(HERE, "keras_functional_xa.npy"), xa)
np.save(os.path.join(HERE, "keras_functional_xb.npy"), xb)
np.save(os.path.join(HERE, "keras_functional_pred.npy"), np.asarray(fn.predict([xa, xb], verbose=0)))
