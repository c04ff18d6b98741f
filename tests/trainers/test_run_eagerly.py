"""run_eagerly: the eager steps (trainers/eager.py) give the compiled path's numbers, run call()
in Python on real values every step, and accept NumPy-written metrics and losses."""

import numpy as np
import pytest

import pykerascore as keras
from pykerascore.trainers import eager

BATCH, STEPS = 8, 4


def _data(seed=0, n=BATCH * STEPS):
    r = np.random.RandomState(seed)
    x = r.randn(n, 5).astype("float32")
    y = r.randint(0, 3, size=(n,)).astype("int64")
    return x, y


class _Subclassed(keras.Model):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.drop = keras.layers.Dropout(dropout, seed=7)
        self.head = keras.layers.Dense(3, activation="softmax")

    def call(self, x, training=False):
        return self.head(self.drop(self.hidden(x), training=training))


def _model(kind, dropout=0.0):
    keras.utils.set_random_seed(3)
    if kind == "sequential":
        return keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                                 keras.layers.Dropout(dropout, seed=7), keras.layers.Dense(3, activation="softmax")])
    if kind == "functional":
        inp = keras.Input((5,))
        h = keras.layers.Dense(8, activation="tanh")(inp)
        h = keras.layers.Dropout(dropout, seed=7)(h)
        return keras.Model(inp, keras.layers.Dense(3, activation="softmax")(h))
    m = _Subclassed(dropout)
    m.build((None, 5))
    return m


def _optimizer(name):
    return keras.optimizers.SGD(0.1, momentum=0.9) if name == "sgd" else keras.optimizers.Adam(0.01)


def _compiled_and_eager(kind, opt, dropout=0.0, **compile_kw):
    x, y = _data()
    compiled = _model(kind, dropout)
    compiled.compile(optimizer=_optimizer(opt), **compile_kw)
    compiled.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    eag = _model(kind, dropout)
    eag.compile(optimizer=_optimizer(opt), **compile_kw)
    start = [w.copy() for w in eag.get_weights()]
    eag.reset_metrics()
    for i in range(STEPS):
        s = slice(i * BATCH, (i + 1) * BATCH)
        eager.train_step(eag, x[s], y[s], None)
    return compiled, eag, start


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_train_steps_match_the_compiled_path(kind, opt):
    compiled, eag, start = _compiled_and_eager(kind, opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert any(np.abs(a - b).max() > 1e-4 for a, b in zip(start, eag.get_weights()))  # it did train
    for a, b in zip(compiled.get_weights(), eag.get_weights()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)
    assert eag.metrics_names == compiled.metrics_names
    for a, b in zip(compiled.metrics, eag.metrics):
        assert b.result() == pytest.approx(a.result(), abs=1e-6)


def test_dropout_masks_advance_per_step_like_the_compiled_path():
    compiled, eag, _ = _compiled_and_eager("sequential", "sgd", dropout=0.5, loss="sparse_categorical_crossentropy")
    for a, b in zip(compiled.get_weights(), eag.get_weights()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)


def test_test_step_and_predict_step_match_evaluate_and_predict():
    x, y = _data(1)
    m = _model("functional")
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    want = m.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    m.reset_metrics()
    for i in range(STEPS):
        s = slice(i * BATCH, (i + 1) * BATCH)
        eager.test_step(m, x[s], y[s], None)
    got = {k.name: k.result() for k in m.metrics}
    assert got == pytest.approx(want, abs=1e-6)
    np.testing.assert_allclose(eager.predict_step(m, x[:BATCH]), m.predict(x[:BATCH], verbose=0), atol=1e-7)


def test_sample_weight_matches_the_compiled_path():
    x, y = _data(2)
    sw = np.linspace(0.1, 2.0, len(x)).astype("float32")
    a, b = _model("sequential"), _model("sequential")
    for m in (a, b):
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    a.fit(x, y, sample_weight=sw, batch_size=BATCH, shuffle=False, verbose=0)
    b.reset_metrics()
    for i in range(STEPS):
        s = slice(i * BATCH, (i + 1) * BATCH)
        eager.train_step(b, x[s], y[s], sw[s])
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wb, wa, rtol=0, atol=1e-6)
    assert [m.result() for m in b.metrics] == pytest.approx([m.result() for m in a.metrics], abs=1e-6)


class _Spy(keras.Model):
    """Records, on every call, the concrete batch it saw and takes a value-dependent branch."""

    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(1)
        self.seen = []

    def call(self, x, training=False):
        h = self.d(x)
        if not hasattr(x, "numpy"):  # build() traces call() symbolically once, as Keras does
            return h
        self.seen.append(np.asarray(x).copy())
        if float(np.asarray(h).mean()) > 1e9:  # a Python `if` on a value: needs real numbers
            h = h * 0.0
        return h


def test_call_runs_in_python_on_every_step_with_real_values():
    m = _Spy()
    m.compile(optimizer="sgd", loss="mse")
    x = np.arange(12, dtype="float32").reshape(6, 2)
    y = np.ones((6, 1), "float32")
    m.build((None, 2))
    m.seen.clear()
    for i in range(3):
        eager.train_step(m, x[2 * i:2 * i + 2], y[2 * i:2 * i + 2], None)
    assert len(m.seen) == 3
    for i, arr in enumerate(m.seen):
        np.testing.assert_array_equal(arr, x[2 * i:2 * i + 2])


class _NumpyMAE(keras.metrics.Metric):
    """A metric written against NumPy: pulls both tensors into arrays."""

    def __init__(self, name="np_mae"):
        super().__init__(name=name)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        err = np.abs(np.asarray(y_true) - np.asarray(y_pred))
        self.total.assign(self.total.numpy() + err.mean(axis=-1).sum())
        self.count.assign(self.count.numpy() + err.shape[0])

    def result(self):
        return float(self.total.numpy() / self.count.numpy())


def test_numpy_custom_metric_works_eagerly():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    m.compile(optimizer="sgd", loss="mse", metrics=[_NumpyMAE()])
    r = np.random.RandomState(0)
    x, y = r.randn(4, 3).astype("float32"), r.randn(4, 2).astype("float32")
    m.reset_metrics()
    pred = m.predict(x, verbose=0)
    eager.test_step(m, x, y, None)
    assert m.metrics[1].result() == pytest.approx(float(np.abs(y - pred).mean()), rel=1e-6)


def _numpy_mse(y_true, y_pred):
    # NumPy ufuncs applied to the tensors themselves go through ops, so the gradient survives.
    return np.mean(np.square(y_true - y_pred), axis=-1)


def test_numpy_loss_function_trains_like_the_builtin_loss():
    r = np.random.RandomState(4)
    x, y = r.randn(16, 3).astype("float32"), r.randn(16, 2).astype("float32")
    models = []
    for loss in ("mse", _numpy_mse):
        keras.utils.set_random_seed(5)
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
        m.reset_metrics()
        for i in range(2):
            eager.train_step(m, x[8 * i:8 * i + 8], y[8 * i:8 * i + 8], None)
        models.append(m)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)
    assert models[1].metrics[0].result() == pytest.approx(models[0].metrics[0].result(), abs=1e-6)


def _opaque_numpy_loss(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)  # leaves the tape: a plain array
    return ((t - p) ** 2).mean(axis=-1)


def test_opaque_numpy_loss_evaluates_and_refuses_to_train_clearly():
    r = np.random.RandomState(6)
    x, y = r.randn(8, 3).astype("float32"), r.randn(8, 2).astype("float32")
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    m.compile(optimizer="sgd", loss=_opaque_numpy_loss)
    m.reset_metrics()
    pred = m.predict(x, verbose=0)
    eager.test_step(m, x, y, None)
    assert m.metrics[0].result() == pytest.approx(float(((y - pred) ** 2).mean()), rel=1e-5)
    with pytest.raises(ValueError, match="no gradient|No gradients"):
        eager.train_step(m, x, y, None)


def test_fit_with_run_eagerly_runs_call_in_python_each_step():
    m = _Spy()
    m.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    m.build((None, 2))
    m.seen.clear()
    x, y = np.ones((12, 2), "float32"), np.ones((12, 1), "float32")
    m.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert len(m.seen) == 3
