"""fit / evaluate / predict on arrays: learning, determinism, return forms, defaults."""

import numpy as np
import pytest

import pykerascore as keras


def _classification(n=2000, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 16)).astype("float32")
    y = (x[:, :3] @ np.array([1.0, -1.0, 0.5])).argsort().argsort() * 3 // n
    return x, y.astype("int64")


def _mlp(out=3, act="softmax"):
    return keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(out, activation=act)])


def test_fit_lowers_the_loss():
    x, y = _classification()
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=5, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < 0.6 * h.history["loss"][0]
    assert h.history["accuracy"][-1] > 0.8


def test_fit_returns_history_with_keras_keys_in_order():
    x, y = _classification(200)
    m = _mlp()
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, y, epochs=3, verbose=0, validation_split=0.25)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert h.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in h.history.values())
    assert m.history is h


def _train_once(seed):
    keras.utils.set_random_seed(seed)
    x, y = _classification(500)
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    m.fit(x, y, epochs=3, batch_size=16, shuffle=True, verbose=0)
    return m.get_weights()


def test_same_seed_gives_bit_identical_weights():
    a, b = _train_once(7), _train_once(7)
    for wa, wb in zip(a, b):
        assert np.array_equal(wa, wb)


def test_different_seed_gives_different_weights():
    a, b = _train_once(7), _train_once(8)
    assert not all(np.array_equal(wa, wb) for wa, wb in zip(a, b))


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    # 10 samples, batch 4: batches of 4, 4, 2. Keras weights each batch loss by its size.
    x = np.arange(10, dtype="float32").reshape(10, 1) / 10
    y = np.zeros((10, 1), "float32")
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    h = m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert h.history["loss"][0] == pytest.approx(float(np.mean(x**2)), rel=1e-6)


def test_evaluate_returns_scalar_without_metrics_and_list_with_metrics():
    x, y = _classification(300)
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(m.evaluate(x, y, verbose=0), float)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    res = m.evaluate(x, y, verbose=0)
    assert isinstance(res, list) and len(res) == 2
    d = m.evaluate(x, y, verbose=0, return_dict=True)
    assert list(d) == ["loss", "accuracy"] and d["loss"] == pytest.approx(res[0])


def test_evaluate_matches_numpy_loss_and_accuracy():
    x, y = _classification(300)
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    p = m.predict(x, verbose=0).astype("float64")
    q = np.clip(p / p.sum(1, keepdims=True), 1e-7, 1 - 1e-7)
    want_loss = -np.log(q[np.arange(len(y)), y]).mean()
    want_acc = (p.argmax(1) == y).mean()
    loss, acc = m.evaluate(x, y, batch_size=64, verbose=0)
    assert loss == pytest.approx(want_loss, rel=1e-5)
    assert acc == pytest.approx(want_acc, rel=1e-6)


def test_predict_shape_and_matches_manual_forward():
    x, _ = _classification(70)
    m = _mlp()
    p = m.predict(x, batch_size=32, verbose=0)  # works uncompiled; last batch partial (6 rows)
    w1, b1, w2, b2 = m.get_weights()
    z = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    e = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(p, e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)
    assert p.shape == (70, 3) and p.dtype == np.float32


def test_predict_is_independent_of_batch_size():
    x, _ = _classification(101)
    m = _mlp()
    np.testing.assert_allclose(m.predict(x, batch_size=7, verbose=0), m.predict(x, batch_size=101, verbose=0), rtol=1e-6, atol=1e-7)


def test_mse_regression_learns_a_linear_map():
    r = np.random.default_rng(3)
    x = r.normal(size=(1024, 4)).astype("float32")
    y = x @ np.array([[1.0], [2.0], [-1.0], [0.5]], "float32")
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    h = m.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < 1e-4


def test_labels_as_column_vector_give_same_loss():
    x, y = _classification(200)
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    a = m.evaluate(x, y, verbose=0)
    b = m.evaluate(x, y.reshape(-1, 1), verbose=0)
    assert a == pytest.approx(b)


def test_steps_per_execution_gives_same_weights():
    def run(spe):
        keras.utils.set_random_seed(5)
        x, y = _classification(640)
        m = _mlp()
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=spe)
        m.fit(x, y, epochs=2, batch_size=32, verbose=0)
        return m.get_weights()

    for a, b in zip(run(1), run(64)):
        assert np.array_equal(a, b)


def test_functional_model_trains_like_sequential():
    x, y = _classification(400)
    keras.utils.set_random_seed(9)
    s = _mlp()
    inp = keras.Input((16,))
    f = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(32, activation="relu")(inp)))
    f.set_weights(s.get_weights())
    for m in (s, f):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
        m.fit(x, y, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(s.get_weights(), f.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_sequential_builds_on_first_data():
    x, y = _classification(64)
    m = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    assert not m.built
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    m.fit(x, y, epochs=1, verbose=0)
    assert m.built and m.layers[0].kernel.shape == (16, 8)


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = _classification(64)
    m = _mlp()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, y, epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert out.count("2/2 - ") == 2 and "accuracy: " in out and "loss: " in out


def test_targets_with_a_new_size_one_axis_are_accepted():
    # y[:, None] gives the new axis an arbitrary stride; rows are still contiguous.
    x, y = _classification(64)
    m = _mlp(out=1, act="sigmoid")
    m.compile(optimizer="sgd", loss="mse")
    yf = (y > 0).astype("float32")
    a = m.evaluate(x, yf[:, None], verbose=0)
    b = m.evaluate(x, yf.reshape(-1, 1).copy(), verbose=0)
    assert a == pytest.approx(b)
