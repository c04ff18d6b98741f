"""Regenerates the whole-model reference files in this folder with REAL Keras 3 (JAX backend):
    KERAS_BACKEND=jax python tests/saving/data/make_reference_files.py
Written with Keras 3.15: ref_{sequential,functional,subclassed}.keras and ref_{sequential,functional}.h5,
all compiled, plus
ref_inputs_predictions.npz (the inputs and Keras's predictions). test_keras_archive.py and
test_legacy_h5.py load them with pykerascore, without Keras installed."""

import os

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(1234)
rng = np.random.default_rng(0)


# The same class (same package, name, attributes and config) is defined in the tests.
@keras.saving.register_keras_serializable(package="pkc_ref")
class TinySub(keras.Model):
    def __init__(self, hidden=4, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.d1 = keras.layers.Dense(hidden, activation="tanh")
        self.d2 = keras.layers.Dense(2)

    def call(self, x, training=False):
        return self.d2(self.d1(x))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


def sequential():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="d1"),
                          keras.layers.Dense(2, name="d2")], name="ref_seq")
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return m


def functional():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(4, activation="tanh", name="ha")(a)
    x = keras.layers.Concatenate(name="cat")([h, b])
    out1 = keras.layers.Dense(1, name="reg")(x)
    out2 = keras.layers.Dense(3, activation="softmax", name="cls")(x)
    m = keras.Model([a, b], [out1, out2], name="ref_func")
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
              loss={"reg": "mse", "cls": "categorical_crossentropy"}, metrics={"cls": ["accuracy"]})
    return m


def subclassed():
    m = TinySub(hidden=5, name="ref_sub")
    m.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return m


def main():
    x_seq = rng.normal(size=(6, 3)).astype("float32")
    xa = rng.normal(size=(6, 3)).astype("float32")
    xb = rng.normal(size=(6, 2)).astype("float32")
    arrays = {"x_seq": x_seq, "xa": xa, "xb": xb}
    for name, build, x, y in (
        ("sequential", sequential, x_seq, rng.normal(size=(6, 2)).astype("float32")),
        ("functional", functional, [xa, xb], [rng.normal(size=(6, 1)).astype("float32"),
                                              np.eye(3, dtype="float32")[rng.integers(0, 3, 6)]]),
        ("subclassed", subclassed, x_seq, rng.normal(size=(6, 2)).astype("float32")),
    ):
        model = build()
        model.fit(x, y, epochs=2, batch_size=3, verbose=0)  # non-initial weights and optimizer state
        preds = model.predict(x, verbose=0)
        for i, p in enumerate(preds if isinstance(preds, list) else [preds]):
            arrays[f"{name}_pred{i}"] = np.asarray(p)
        model.save(os.path.join(HERE, f"ref_{name}.keras"))
        if name != "subclassed":  # Keras cannot reload a subclassed model's weights from `.h5`
            model.save(os.path.join(HERE, f"ref_{name}.h5"))
    np.savez(os.path.join(HERE, "ref_inputs_predictions.npz"), **arrays)


if __name__ == "__main__":
    main()
