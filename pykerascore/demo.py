"""The main job: `python -m pykerascore.demo`.

Trains a small classifier on an embedded dataset (three interleaved spirals, generated from a
fixed formula so no download is needed) with the Keras progress bar, then prints the
evaluate results. Written exactly as a Keras script would be, with `import pykerascore as keras`.
"""

import sys
import time

import numpy as np

import pykerascore as keras


def spirals(n_per_class=1000, classes=3, noise=0.15, seed=7):
    """Points on `classes` interleaved spiral arms in 2-D, labelled by arm."""
    r = np.random.default_rng(seed)
    t = np.sqrt(r.uniform(0.0, 1.0, size=(classes, n_per_class))) * 3.0 * np.pi
    x, y = [], []
    for k in range(classes):
        angle = t[k] + 2.0 * np.pi * k / classes
        pts = np.stack([t[k] * np.cos(angle), t[k] * np.sin(angle)], axis=1) / (3.0 * np.pi)
        x.append(pts + r.normal(scale=noise / 3.0, size=pts.shape))
        y.append(np.full(n_per_class, k))
    x, y = np.concatenate(x).astype("float32"), np.concatenate(y).astype("int64")
    order = r.permutation(len(x))
    return x[order], y[order]


def main(epochs=20):
    keras.utils.set_random_seed(1)
    x, y = spirals()
    split = int(0.8 * len(x))
    x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]

    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1, verbose=1)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\nTrained {epochs} epochs on {split} samples in {seconds:.2f} s")
    print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
    return loss, accuracy


if __name__ == "__main__":
    main(epochs=int(sys.argv[1]) if len(sys.argv) > 1 else 20)
